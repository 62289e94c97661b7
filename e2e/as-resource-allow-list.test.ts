/**
 * demo-as `--resource <url>` (repeatable): the only resources it issues tokens
 * for (RFC 8707 §2). Any other resource is `invalid_target` — an error
 * redirect with `state` and `iss` at /authorize, a 400 at /token — so a client
 * with the wrong resource learns it from the AS instead of getting a token
 * the resource server refuses. Without the flag every canonical http(s)
 * resource URL is served, as before. All against the real processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd, startServer, type RunningServer } from '../support/spawn.ts';
import { authorizeUrl, callbackParams, completeFlow, DEFAULT_RESOURCE, exchangeCode, approvedCode, openConsent, pkcePair, refreshTokens, registerClient } from './as-flow.ts';
import { asLinesBetween, markAsLog, runClient, tempDir } from './stack.ts';

const SERVED = 'http://127.0.0.1:3001/mcp';
const ALSO_SERVED = 'http://[::1]:3002/mcp';
const FOREIGN = 'http://127.0.0.1:3009/mcp';

let listed: RunningServer;
let unlisted: RunningServer;

beforeAll(async () => {
    [listed, unlisted] = await Promise.all([
        startServer('demo-as/main.ts', ['--port', '0', '--resource', SERVED, '--resource', ALSO_SERVED]),
        startServer('demo-as/main.ts', ['--port', '0'])
    ]);
});

afterAll(async () => {
    await Promise.all([listed?.stop(), unlisted?.stop()]);
});

describe('demo-as --resource allow-list at /authorize', () => {
    it.each([SERVED, ALSO_SERVED])('shows the consent page for a listed resource (%s)', async (resource) => {
        const client = await registerClient(listed.origin);
        const page = await openConsent(authorizeUrl(listed.origin, { client, pkce: pkcePair(), resource }));
        expect(page.response.status).toBe(200);
        expect(page.form.buttons.map((button) => button.value).sort()).toEqual(['approve', 'deny']);
    });

    it.each([
        ['another port', FOREIGN],
        ['a trailing slash', `${SERVED}/`],
        ['another path', 'http://127.0.0.1:3001/mcp/admin'],
        ['localhost for 127.0.0.1', 'http://localhost:3001/mcp']
    ])('redirects invalid_target with state and iss for an unlisted resource: %s', async (_name, resource) => {
        const client = await registerClient(listed.origin);
        const response = await fetch(authorizeUrl(listed.origin, { client, pkce: pkcePair(), resource, state: 'allow-list-state' }), { redirect: 'manual' });
        expect(response.status).toBe(302);
        expect(response.headers.get('location')?.startsWith(`${client.redirectUri}?`)).toBe(true);
        const callback = callbackParams(response);
        expect(callback.get('error')).toBe('invalid_target');
        expect(callback.get('state')).toBe('allow-list-state');
        expect(callback.get('iss')).toBe(listed.origin);
        expect(callback.has('code')).toBe(false);
    });
});

describe('demo-as --resource allow-list at /token', () => {
    it('issues tokens for a listed resource, with aud = that resource', async () => {
        const { tokens } = await completeFlow(listed.origin, { resource: SERVED });
        const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
        expect(claims.aud).toBe(SERVED);
    });

    it('answers 400 invalid_target when the code exchange names an unlisted resource', async () => {
        const grant = await approvedCode(listed.origin, { resource: SERVED });
        const response = await exchangeCode(listed.origin, grant, { resource: FOREIGN });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: 'invalid_target' });
    });

    it('answers 400 invalid_target when a refresh names an unlisted resource, and the refresh token still works', async () => {
        const { grant, tokens } = await completeFlow(listed.origin, { resource: SERVED });
        const refused = await refreshTokens(listed.origin, grant.client.clientId, tokens.refresh_token, { resource: FOREIGN });
        expect(refused.status).toBe(400);
        expect(await refused.json()).toMatchObject({ error: 'invalid_target' });
        expect((await refreshTokens(listed.origin, grant.client.clientId, tokens.refresh_token)).status).toBe(200);
    });
});

describe('demo-as without --resource', () => {
    it('serves any canonical http(s) resource URL, as before', async () => {
        for (const resource of [DEFAULT_RESOURCE, FOREIGN, 'https://files.example/mcp']) {
            const { tokens } = await completeFlow(unlisted.origin, { resource });
            expect(tokens.scope).toBe('files:read');
        }
    });
});

describe('demo-as --resource values', () => {
    // The other refused values are checked in e2e/unit/server-usage-errors.test.ts, from the parser.
    it.each([['not a URL', 'mcp']])('refuses %s in one line with exit status 2', async (_name, value) => {
        const run = await runToEnd('demo-as/main.ts', ['--port', '0', '--resource', value]);
        expect(run.code).toBe(2);
        expect(run.stderr.trim().split('\n')).toEqual(['demo-as: --resource must be a canonical absolute http(s) URL without a fragment, e.g. http://127.0.0.1:3001/mcp']);
    });
});

describe('the client against an AS that does not serve its resource server', () => {
    // The listed AS serves only SERVED and ALSO_SERVED, never this RS's own port-0 URL; marks around the run keep
    // the earlier tests' token lines out of what is checked.
    it('stops with invalid_target from the AS, before any token is issued', async () => {
        const rs = await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', listed.origin]);
        const store = tempDir('allow-list-client-');
        try {
            const from = await markAsLog(listed);
            const run = await runClient(['call', 'list-files', '--server', `${rs.origin}/mcp`, '--headless', '--store', `${store.path}/client.json`]);
            expect(run.code).not.toBe(0);
            expect(`${run.stdout}\n${run.stderr}`).toContain('invalid_target');
            const asLines = asLinesBetween(listed, from, await markAsLog(listed));
            expect(asLines.some((line) => line.startsWith('authorize ') && line.includes('error=invalid_target'))).toBe(true);
            expect(asLines.some((line) => line.startsWith('token '))).toBe(false);
        } finally {
            await rs.stop();
            store.remove();
        }
    });
});
