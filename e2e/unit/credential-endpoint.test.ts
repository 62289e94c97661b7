/**
 * Unit tests for the client's one rule on where a credential may go
 * (demo-client/credential-endpoint.ts): https anywhere, plain http only to the
 * loopback literals. The fetch guard applies it to every request that carries
 * a credential, and refuses before the request is made. The e2e file
 * client-cleartext.test.ts shows the rule against a hostile AS's metadata.
 */
import type { OAuthDiscoveryState } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { assertDiscoveredEndpoints, isHttpsOrLoopback } from '../../demo-client/credential-endpoint.ts';
import { credentialGuardFetch } from '../../demo-client/credential-guard.ts';

describe('https or loopback', () => {
    it.each(['https://as.example/token', 'http://127.0.0.1:9/token', 'http://[::1]:9/token', 'http://localhost:9/token', 'http://LOCALHOST/token'])('accepts %s', (url) => {
        expect(isHttpsOrLoopback(new URL(url))).toBe(true);
    });

    it.each(['http://as.example/token', 'http://127.0.0.2/token', 'http://evil.localhost/token', 'http://localhost.as.example/token', 'http://[::ffff:127.0.0.1]/token', 'ftp://127.0.0.1/token'])(
        'refuses %s',
        (url) => {
            expect(isHttpsOrLoopback(new URL(url))).toBe(false);
        }
    );
});

describe('endpoints named by discovery', () => {
    const metadata = (fields: Record<string, string>) =>
        ({ issuer: 'https://as.example', authorization_endpoint: 'https://as.example/authorize', response_types_supported: ['code'], token_endpoint: 'https://as.example/token', ...fields }) as never;
    const state = (fields: Record<string, string>): OAuthDiscoveryState => ({ authorizationServerUrl: 'https://as.example', authorizationServerMetadata: metadata(fields) });

    it('passes https endpoints and a loopback resource', () => {
        expect(() => assertDiscoveredEndpoints('http://127.0.0.1:3001/mcp', state({ registration_endpoint: 'https://as.example/register' }))).not.toThrow();
    });

    it.each([
        ['token_endpoint', { token_endpoint: 'http://as.example/token' }],
        ['registration_endpoint', { registration_endpoint: 'http://as.example/register' }]
    ])('names a cleartext %s and where it came from', (field, fields) => {
        expect(() => assertDiscoveredEndpoints('https://rs.example/mcp', state(fields))).toThrow(`refused the ${field} http://as.example/`);
        expect(() => assertDiscoveredEndpoints('https://rs.example/mcp', state(fields))).toThrow('(from the authorization server metadata of "https://as.example")');
    });

    it('names a cleartext resource (it would receive the access token)', () => {
        expect(() => assertDiscoveredEndpoints('http://rs.example/mcp', state({}))).toThrow('refused the resource http://rs.example/mcp (from the --server option)');
    });

    it('without metadata, checks the server whose /token and /register the SDK would use', () => {
        expect(() => assertDiscoveredEndpoints('https://rs.example/mcp', { authorizationServerUrl: 'http://as.example/' })).toThrow('refused the authorization server http://as.example/');
    });
});

describe('the fetch guard', () => {
    const guarded = () => {
        const sent: string[] = [];
        const fetch = credentialGuardFetch(async (url) => {
            sent.push(String(url));
            return new Response('{}');
        });
        return { fetch, sent };
    };

    it.each([
        ['an Authorization header', { headers: { authorization: 'DPoP abc' } }],
        ['refresh_token', { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r' }) }],
        ['code', { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: 'c', code_verifier: 'v' }) }],
        ['token', { method: 'POST', body: new URLSearchParams({ token: 't' }) }]
    ])('refuses a request carrying %s to cleartext, before sending it', async (carried, init) => {
        const { fetch, sent } = guarded();
        await expect(fetch('http://rs.example/mcp', init)).rejects.toThrow(`refused the request to http://rs.example/mcp, which carries ${carried}`);
        expect(sent).toEqual([]);
    });

    it('lets credentials go to https and loopback, and anything without one go anywhere', async () => {
        const { fetch, sent } = guarded();
        await fetch('https://rs.example/mcp', { headers: { authorization: 'Bearer a' } });
        await fetch('http://127.0.0.1:9/token', { method: 'POST', body: new URLSearchParams({ code: 'c' }) });
        await fetch('http://rs.example/.well-known/oauth-protected-resource');
        expect(sent).toHaveLength(3);
    });
});
