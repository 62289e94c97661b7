/**
 * demo-as's room for the clients people use, against the real process: a
 * registration may name up to 16 redirect URIs (a 17th is refused); a client
 * that asks for `client_secret_post` or `client_secret_basic` is registered as
 * the public client it is, answered `token_endpoint_auth_method: "none"` with
 * no secret (RFC 7591 §3.2.1), the replacement logged, and completes the code
 * flow with PKCE; any other method is refused with a message naming the fix.
 * With `--loopback-any-port`, a loopback redirect_uri may differ from the
 * registered one in its port only (RFC 8252 §7.3), and /token then wants the
 * port used at /authorize, exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import {
    approvedCode,
    authorizeUrl,
    callbackParams,
    completeFlow,
    exchangeCode,
    openConsent,
    pkcePair,
    postJson,
    refreshTokens,
    submitDecision,
    type TestClient
} from './as-flow.ts';
import { waitForOutput } from './rs-fixture.ts';

let strict: RunningServer;
let anyPort: RunningServer;

beforeAll(async () => {
    [strict, anyPort] = await Promise.all([startServer('demo-as/main.ts', ['--port', '0']), startServer('demo-as/main.ts', ['--port', '0', '--loopback-any-port'])]);
});

afterAll(async () => {
    await Promise.all([strict?.stop(), anyPort?.stop()]);
});

const loopbackUris = (count: number) => Array.from({ length: count }, (_, i) => `http://127.0.0.1:${41000 + i}/callback`);

async function register(as: RunningServer, metadata: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await postJson(`${as.origin}/register`, { client_name: 'registration options', ...metadata });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('redirect URIs per registration', () => {
    it.each([11, 16])('registers %i and keeps every one', async (count) => {
        const { status, body } = await register(strict, { redirect_uris: loopbackUris(count) });
        expect(status).toBe(201);
        expect(body.redirect_uris).toEqual(loopbackUris(count));
        const last: TestClient = { clientId: body.client_id as string, redirectUri: loopbackUris(count)[count - 1] };
        expect((await openConsent(authorizeUrl(strict.origin, { client: last, pkce: pkcePair() }))).response.status).toBe(200);
    });

    it('refuses a 17th with invalid_redirect_uri naming the cap', async () => {
        const { status, body } = await register(strict, { redirect_uris: loopbackUris(17) });
        expect(status).toBe(400);
        expect(body).toEqual({ error: 'invalid_redirect_uri', error_description: 'at most 16 redirect URIs may be registered' });
    });
});

describe('a client that asks for a client secret (RFC 7591 §3.2.1)', () => {
    it.each(['client_secret_post', 'client_secret_basic'])('%s → registered public: the response says none, no secret is issued, the flow completes with PKCE', async (method) => {
        const { status, body } = await register(strict, { redirect_uris: loopbackUris(1), token_endpoint_auth_method: method });
        expect(status).toBe(201);
        expect(body.token_endpoint_auth_method).toBe('none');
        expect(Object.keys(body).filter((key) => key.startsWith('client_secret'))).toEqual([]);
        const clientId = body.client_id as string;
        await waitForOutput(strict.stdout, `register client_id=${clientId} status=201 token_endpoint_auth_method=${method}->none`);

        const { tokens } = await completeFlow(strict.origin, { client: { clientId, redirectUri: loopbackUris(1)[0] }, scope: 'files:read files:write' });
        expect(tokens.scope).toBe('files:read files:write');
        const refreshed = await refreshTokens(strict.origin, clientId, tokens.refresh_token);
        expect(refreshed.status).toBe(200);
    });

    it('another method → 400 invalid_client_metadata naming the fix', async () => {
        const { status, body } = await register(strict, { redirect_uris: loopbackUris(1), token_endpoint_auth_method: 'private_key_jwt' });
        expect(status).toBe(400);
        expect(body).toEqual({ error: 'invalid_client_metadata', error_description: 'register with token_endpoint_auth_method none; this AS issues no client secrets' });
    });
});

describe('--loopback-any-port (RFC 8252 §7.3)', () => {
    async function registered(as: RunningServer, redirectUri: string): Promise<TestClient> {
        const { status, body } = await register(as, { redirect_uris: [redirectUri] });
        expect(status).toBe(201);
        return { clientId: body.client_id as string, redirectUri };
    }

    it.each(['127.0.0.1', '[::1]', 'localhost'])('%s: another port at /authorize gets the code there, and /token redeems it with that port', async (host) => {
        const client = await registered(anyPort, `http://${host}:40001/callback?app=demo`);
        const sent = `http://${host}:51234/callback?app=demo`;
        const pkce = pkcePair();
        const page = await openConsent(authorizeUrl(anyPort.origin, { client: { ...client, redirectUri: sent }, pkce }));
        expect(page.response.status).toBe(200);
        const decision = await submitDecision(anyPort.origin, page, 'approve');
        expect(decision.headers.get('location')?.startsWith(`${sent}&`)).toBe(true);
        const code = callbackParams(decision).get('code') ?? '';

        const grant = { client: { ...client, redirectUri: sent }, pkce, code, resource: 'http://127.0.0.1:9/mcp' };
        const redeemed = await exchangeCode(anyPort.origin, grant);
        expect(redeemed.status).toBe(200);
    });

    it('/token wants the redirect_uri used at /authorize exactly: the registered port is refused for a code got on another', async () => {
        const client = await registered(anyPort, 'http://127.0.0.1:40002/callback');
        const grant = await approvedCode(anyPort.origin, { client: { ...client, redirectUri: 'http://127.0.0.1:52345/callback' } });
        const redeemed = await exchangeCode(anyPort.origin, grant, { redirect_uri: client.redirectUri });
        expect(redeemed.status).toBe(400);
        expect(await redeemed.json()).toMatchObject({ error: 'invalid_grant' });
    });

    it.each([
        ['another path', 'http://127.0.0.1:51234/other'],
        ['another scheme', 'https://127.0.0.1:51234/callback'],
        ['another loopback host', 'http://localhost:51234/callback'],
        ['an added query', 'http://127.0.0.1:51234/callback?x=1'],
        ['a trailing slash', 'http://127.0.0.1:51234/callback/'],
        ['userinfo', 'http://user@127.0.0.1:51234/callback'],
        ['a fragment', 'http://127.0.0.1:51234/callback#f'],
        ['a port with a leading zero', 'http://127.0.0.1:051234/callback'],
        ['another spelling of the host', 'http://127.1:51234/callback']
    ])('everything but the port is still exact: %s → error page, no redirect', async (_name, sent) => {
        const client = await registered(anyPort, 'http://127.0.0.1:40003/callback');
        const page = await openConsent(authorizeUrl(anyPort.origin, { client: { ...client, redirectUri: sent }, pkce: pkcePair() }));
        expect(page.response.status).toBe(400);
        expect(page.response.headers.get('location')).toBeNull();
        expect(page.html).toContain('<code>invalid_redirect_uri</code>');
    });
});
