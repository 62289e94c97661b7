/**
 * Resource Server, authentication: RFC 9728 metadata, the 401 challenge, and
 * every way an access token can be wrong. The real demo-rs process runs
 * against the fake AS fixture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DPOP_ALGS } from '../demo-rs/dpop-binding.ts';
import { startFakeAs, type BadTokenKind, type FakeAs } from './fixtures/fake-as.ts';
import { post, startRs, toolCall, type RunningRs } from './rs-fixture.ts';

let as: FakeAs;
let rs: RunningRs;

beforeAll(async () => {
    as = await startFakeAs();
    rs = await startRs(as.origin);
});

afterAll(async () => {
    await rs?.stop();
    await as?.stop();
});

describe('protected-resource metadata (RFC 9728)', () => {
    it('names the resource, the AS, the scopes and header-only bearer tokens', async () => {
        const response = await fetch(rs.metadataUrl);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({
            resource: rs.mcpUrl,
            authorization_servers: [as.origin],
            scopes_supported: ['files:read', 'files:write', 'files:admin'],
            bearer_methods_supported: ['header']
        });
    });

    it('is served without asking the AS anything', () => {
        expect(as.hits.get('/.well-known/oauth-authorization-server') ?? 0).toBe(0);
    });
});

describe('401 challenge', () => {
    const expectedChallenge = () => `Bearer resource_metadata="${rs.metadataUrl}", scope="files:read", DPoP algs="${DPOP_ALGS}"`;

    it('without a token: resource_metadata and the first scope, no error code (RFC 6750 §3.1)', async () => {
        const answer = await post(rs, 'legacy', toolCall('list-files'));
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe(expectedChallenge());
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('treats another authentication scheme as no token', async () => {
        const answer = await post(rs, 'legacy', toolCall('list-files'), undefined, { authorization: 'Basic dXNlcjpwYXNz' });
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe(expectedChallenge());
    });

    it('guards every method on /mcp, not only POST', async () => {
        const response = await fetch(rs.mcpUrl);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe(expectedChallenge());
    });
});

describe('bad tokens → 401 invalid_token', () => {
    const cases: Array<[BadTokenKind, string]> = [
        ['wrong-issuer', 'The access token was issued by a different authorization server.'],
        ['wrong-audience', 'The access token was issued for a different resource.'],
        ['expired', 'The access token has expired.'],
        ['wrong-typ', 'The token is not an access token (typ must be at+jwt).'],
        ['wrong-key', "The access token's signature does not verify with the authorization server's keys."],
        ['no-exp', 'The access token lacks a required claim.'],
        ['alg-none', 'The access token is signed with an algorithm this server does not accept.'],
        ['alg-hs256', 'The access token is signed with an algorithm this server does not accept.']
    ];

    it.each(cases)('%s', async (kind, reason) => {
        const token = await as.mintBad(kind, { audience: rs.mcpUrl, scope: 'files:read files:write' });
        const answer = await post(rs, 'legacy', toolCall('list-files'), token);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe(
            `Bearer error="invalid_token", resource_metadata="${rs.metadataUrl}", scope="files:read", DPoP algs="${DPOP_ALGS}"`
        );
        expect(answer.json).toEqual({ error: 'invalid_token', error_description: reason });
    });

    it('garbage in the Bearer slot', async () => {
        const answer = await post(rs, 'legacy', toolCall('list-files'), 'not.a.jwt');
        expect(answer.status).toBe(401);
        expect(answer.json).toEqual({ error: 'invalid_token', error_description: 'The access token is malformed.' });
        expect(answer.text).not.toContain('not.a.jwt');
    });

    it('never logs a token', async () => {
        const token = await as.mint({ audience: rs.mcpUrl });
        await post(rs, 'legacy', toolCall('list-files'), token);
        const output = [...rs.stdout, ...rs.stderr].join('\n');
        expect(output).not.toContain(token);
        expect(output).not.toContain(token.split('.')[2]);
    });
});

describe('AS discovery', () => {
    it('fetches the AS metadata once, on the first token, and caches it', async () => {
        const token = await as.mint({ audience: rs.mcpUrl });
        expect((await post(rs, 'legacy', toolCall('list-files'), token)).status).toBe(200);
        expect((await post(rs, 'legacy', toolCall('list-files'), token)).status).toBe(200);
        expect(as.hits.get('/.well-known/oauth-authorization-server')).toBe(1);
        expect(as.hits.get('/jwks')).toBe(1);
    });
});
