/**
 * Resource Server rules as plain functions: the challenge shapes, reading the
 * tool from a JSON-RPC body, the `Mcp-Name` decoding, the scope table, the
 * AS metadata URLs (RFC 8414, then OIDC Discovery), token refusal reasons and the bounded file store.
 */
import { buildDiscoveryUrls } from '@modelcontextprotocol/client';
import { errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { metadataUrlsFor } from '../../demo-rs/authorization-server.ts';
import { authenticationChallenge, malformedRequestChallenge } from '../../demo-rs/challenges.ts';
import { FileStore, MAX_FILES } from '../../demo-rs/file-store.ts';
import { decodeMcpName } from '../../demo-rs/mcp-name-check.ts';
import { toolCallOf } from '../../demo-rs/mcp-request.ts';
import { isToolName, TOOL_SCOPES } from '../../demo-rs/scopes.ts';
import { refusalReason } from '../../demo-rs/token-verifier.ts';

const PRM = 'http://127.0.0.1:9/.well-known/oauth-protected-resource/mcp';

describe('challenges', () => {
    it('401 without a token carries no error code', () => {
        expect(authenticationChallenge(PRM, 'files:read', false)).toBe(`Bearer resource_metadata="${PRM}", scope="files:read"`);
    });
    it('401 with a bad token says invalid_token', () => {
        expect(authenticationChallenge(PRM, 'files:read', true)).toBe(`Bearer error="invalid_token", resource_metadata="${PRM}", scope="files:read"`);
    });
    it('400 for a malformed Authorization header says invalid_request', () => {
        expect(malformedRequestChallenge(PRM, 'files:read')).toBe(`Bearer error="invalid_request", resource_metadata="${PRM}", scope="files:read"`);
    });
    it('with DPoP: offers both schemes, names algs, reports a DPoP failure under DPoP (RFC 9449 §7.1)', () => {
        const dpop = { algs: 'ES256 PS256', required: false };
        expect(authenticationChallenge(PRM, 'files:read', false, dpop)).toBe(`Bearer resource_metadata="${PRM}", scope="files:read", DPoP algs="ES256 PS256"`);
        expect(authenticationChallenge(PRM, 'files:read', true, { ...dpop, error: 'invalid_dpop_proof' })).toBe(
            `DPoP error="invalid_dpop_proof", algs="ES256 PS256", resource_metadata="${PRM}", scope="files:read"`
        );
        expect(authenticationChallenge(PRM, 'files:read', false, { ...dpop, required: true })).toBe(`DPoP algs="ES256 PS256", resource_metadata="${PRM}", scope="files:read"`);
    });
});

describe('toolCallOf', () => {
    it('reads name and id from a tools/call', () => {
        expect(toolCallOf({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'write-file' } })).toEqual({ name: 'write-file', id: 7 });
    });
    it.each([
        ['another method', { method: 'tools/list', params: { name: 'write-file' } }],
        ['a batch', [{ method: 'tools/call', params: { name: 'write-file' } }]],
        ['a non-string name', { method: 'tools/call', params: { name: ['write-file'] } }],
        ['no params', { method: 'tools/call' }],
        ['not an object', 'tools/call']
    ])('ignores %s', (_label, body) => {
        expect(toolCallOf(body)).toBeUndefined();
    });
});

describe('decodeMcpName', () => {
    it('passes a plain name through, trimming whitespace', () => {
        expect(decodeMcpName(' list-files ')).toBe('list-files');
    });
    it('decodes the base64 sentinel form', () => {
        expect(decodeMcpName(`=?base64?${Buffer.from('écrire').toString('base64')}?=`)).toBe('écrire');
    });
    it('leaves a malformed sentinel as text (so it cannot match a tool name)', () => {
        expect(decodeMcpName('=?base64?***?=')).toBe('=?base64?***?=');
    });
});

describe('scope table', () => {
    it.each([
        ['list-files', 'files:read'],
        ['read-file', 'files:read'],
        ['write-file', 'files:write'],
        ['purge-files', 'files:admin']
    ])('%s needs %s', (tool, scope) => {
        expect(isToolName(tool) && TOOL_SCOPES[tool]).toBe(scope);
    });
    it('knows no other tool, not even Object.prototype names', () => {
        expect(isToolName('toString')).toBe(false);
        expect(isToolName('nope')).toBe(false);
    });
});

describe('metadataUrlsFor (RFC 8414 §3.1, then OIDC Discovery, as the MCP authorization spec lists them)', () => {
    it('an origin issuer: the RFC 8414 location, then the OIDC one', () => {
        expect(metadataUrlsFor('http://127.0.0.1:4000').map(String)).toEqual([
            'http://127.0.0.1:4000/.well-known/oauth-authorization-server',
            'http://127.0.0.1:4000/.well-known/openid-configuration'
        ]);
    });
    it('an issuer with a path: RFC 8414 inserted first, then OIDC inserted, then OIDC appended', () => {
        expect(metadataUrlsFor('https://as.example/tenant1').map(String)).toEqual([
            'https://as.example/.well-known/oauth-authorization-server/tenant1',
            'https://as.example/.well-known/openid-configuration/tenant1',
            'https://as.example/tenant1/.well-known/openid-configuration'
        ]);
    });
    it.each(['http://127.0.0.1:4000', 'https://as.example/tenant1', 'https://as.example/a/b/'])('is the list the SDK client builds (buildDiscoveryUrls) for %s', (issuer) => {
        expect(metadataUrlsFor(issuer).map(String)).toEqual(buildDiscoveryUrls(issuer).map(({ url }) => url.href));
    });
});

describe('refusalReason', () => {
    it('names the claim that failed, with fixed text', () => {
        const payload = { iss: 'attacker text' };
        expect(refusalReason(new errors.JWTClaimValidationFailed('x', payload, 'iss', 'check_failed'))).toBe('The access token was issued by a different authorization server.');
        expect(refusalReason(new errors.JWTClaimValidationFailed('x', payload, 'aud', 'check_failed'))).toBe('The access token was issued for a different resource.');
        expect(refusalReason(new errors.JWTExpired('x', payload))).toBe('The access token has expired.');
        expect(refusalReason(new Error('attacker text'))).toBe('The access token is malformed.');
    });
});

describe('FileStore', () => {
    it('is bounded: a new file past the cap is refused, replacing one is not', () => {
        const store = new FileStore({});
        for (let i = 0; i < MAX_FILES; i++) expect(store.write(`f${i}`, 'x')).toEqual({ created: true });
        expect(store.write('one-too-many', 'x')).toBeUndefined();
        expect(store.write('f0', 'changed')).toEqual({ created: false });
        expect(store.read('f0')).toBe('changed');
        expect(store.purge()).toBe(MAX_FILES);
        expect(store.list()).toEqual([]);
    });
});
