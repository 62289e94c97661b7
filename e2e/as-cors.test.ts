/**
 * demo-as CORS against the real process, exactly where RFC 9700 §2.6 allows
 * it: the metadata, the JWKS, /register, /token and /revoke answer preflights
 * and carry Access-Control-Allow-Origin, so a browser-based client on another
 * origin can use them; /authorize and the consent decision never do, so no
 * script on another origin can read a consent page or post a decision. Also:
 * the AS logs the scope asked at /authorize.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { authorizeUrl, openConsent, pkcePair, postForm, postJson, registerClient, submitDecision } from './as-flow.ts';

const APP_ORIGIN = 'http://127.0.0.1:5173';

let as: RunningServer;

beforeAll(async () => {
    as = await startServer('demo-as/main.ts', ['--port', '0']);
});

afterAll(async () => {
    await as?.stop();
});

function preflight(path: string, method: string, requestHeaders = 'content-type'): Promise<Response> {
    return fetch(`${as.origin}${path}`, {
        method: 'OPTIONS',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders }
    });
}

const corsHeaderNames = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('demo-as CORS where browser-based clients need it', () => {
    it.each([
        ['/.well-known/oauth-authorization-server', 'GET'],
        ['/jwks', 'GET'],
        ['/register', 'POST'],
        ['/token', 'POST'],
        ['/revoke', 'POST']
    ])('answers the preflight for %s (%s)', async (path, method) => {
        const response = await preflight(path, method, 'content-type, dpop');
        expect(response.status).toBe(204);
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(response.headers.get('access-control-allow-methods')?.split(',')).toContain(method);
        expect(response.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(expect.arrayContaining(['content-type', 'dpop']));
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('carries Access-Control-Allow-Origin on metadata, JWKS, registration, token and revocation answers, errors included', async () => {
        const headers = { origin: APP_ORIGIN };
        const client = await registerClient(as.origin);
        const answers = [
            await fetch(`${as.origin}/.well-known/oauth-authorization-server`, { headers }),
            await fetch(`${as.origin}/jwks`, { headers }),
            await postJson(`${as.origin}/register`, { redirect_uris: ['http://127.0.0.1:5173/callback'] }, headers),
            await postJson(`${as.origin}/register`, { redirect_uris: ['https://evil.example/cb'] }, headers),
            await postForm(`${as.origin}/token`, { grant_type: 'refresh_token', client_id: client.clientId, refresh_token: 'unknown' }, headers),
            await postForm(`${as.origin}/revoke`, { token: 'unknown', client_id: client.clientId }, headers)
        ];
        expect(answers.map((response) => response.status)).toEqual([200, 200, 201, 400, 400, 200]);
        for (const response of answers) expect(response.headers.get('access-control-allow-origin')).toBe('*');
    });
});

describe('demo-as never answers CORS for /authorize or the consent decision (RFC 9700 §2.6)', () => {
    it.each([
        ['/authorize', 'GET'],
        ['/authorize/decision', 'POST']
    ])('refuses the preflight for %s with no CORS header', async (path, method) => {
        const response = await preflight(path, method);
        expect(response.status).toBe(405);
        expect(corsHeaderNames(response)).toEqual([]);
    });

    it('sends the consent page, its error page and the decision redirect without any CORS header', async () => {
        const client = await registerClient(as.origin);
        const consent = await fetch(authorizeUrl(as.origin, { client, pkce: pkcePair() }), { headers: { origin: APP_ORIGIN }, redirect: 'manual' });
        expect(consent.status).toBe(200);
        expect(corsHeaderNames(consent)).toEqual([]);

        const unknown = await fetch(`${as.origin}/authorize?client_id=unknown`, { headers: { origin: APP_ORIGIN, accept: 'application/json' } });
        expect(unknown.status).toBe(400);
        expect(corsHeaderNames(unknown)).toEqual([]);

        const page = await openConsent(authorizeUrl(as.origin, { client, pkce: pkcePair() }));
        const decision = await submitDecision(as.origin, page, 'approve', { headers: { origin: APP_ORIGIN } });
        expect(decision.status).toBe(302);
        expect(corsHeaderNames(decision)).toEqual([]);
    });
});

describe('demo-as log of /authorize', () => {
    it('names the scope asked, and does not log preflights', async () => {
        const client = await registerClient(as.origin);
        await openConsent(authorizeUrl(as.origin, { client, pkce: pkcePair(), scope: 'files:read files:write files:admin' }));
        await preflight('/token', 'POST');
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(as.stdout).toContain(`authorize client_id=${client.clientId} status=200 scope="files:read files:write files:admin"`);
        expect(as.stdout.filter((line) => / status=204/.test(line))).toEqual([]);
    });

    it('does not log a scope the AS does not define', async () => {
        const client = await registerClient(as.origin);
        await fetch(authorizeUrl(as.origin, { client, pkce: pkcePair(), scope: 'files:read attacker-scope' }), { redirect: 'manual' });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const line = as.stdout.find((entry) => entry.startsWith(`authorize client_id=${client.clientId} `));
        expect(line).toBe(`authorize client_id=${client.clientId} status=302 error=invalid_scope`);
    });
});
