/**
 * demo-as CORS in a real browser: a page on another loopback origin (a
 * browser-based MCP client) fetches the AS's metadata and JWKS, registers
 * (a preflighted JSON post), calls /token with a DPoP header (preflighted)
 * and /revoke, and reads every answer; its fetches of /authorize and of the
 * consent decision are blocked by the browser, because the AS never allows
 * them (RFC 9700 §2.6). Debian's Chromium through playwright-core.
 *
 * Without /usr/bin/chromium the test is skipped with the reason — except in
 * CI (CI set), where a missing browser is a failure: .ci/run installs it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../support/serve.ts';
import { startServer, type RunningServer } from '../support/spawn.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const hasChromium = existsSync(CHROMIUM);
const skipReason = `${CHROMIUM} is not installed (apt-get install chromium); the real-browser CORS test is skipped`;
if (!hasChromium && !process.env.CI) console.warn(`as-cors-browser: SKIPPED — ${skipReason}`);

let as: RunningServer | undefined;
let app: { server: Server; origin: string } | undefined;
let context: BrowserContext | undefined;
let workDir: string | undefined;

beforeAll(async () => {
    if (!hasChromium) return;
    workDir = mkdtempSync(join(tmpdir(), 'scoped-tools-cors-'));
    as = await startServer('demo-as/main.ts', ['--port', '0']);
    // The browser-based client's own origin: one empty page.
    app = await listenOnLoopback((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>browser client</title>'), 0);
    context = await chromium.launchPersistentContext(join(workDir, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => (app ? app.server.close(resolve) : resolve(undefined)));
    await as?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium && !process.env.CI)('demo-as CORS from a page on another origin, in Chromium', () => {
    it('reads metadata, JWKS, registration, token and revocation answers; /authorize and the decision are blocked', async () => {
        if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: .ci/run must install chromium`);
        const page = await context!.newPage();
        await page.goto(app!.origin);
        const results = await page.evaluate(async ({ issuer, appOrigin }) => {
            const form = { 'content-type': 'application/x-www-form-urlencoded' };
            const read = async (request: Promise<Response>) => {
                try {
                    const response = await request;
                    return { status: response.status, body: await response.json() };
                } catch (error) {
                    return { blocked: error instanceof TypeError };
                }
            };
            const metadata = await read(fetch(`${issuer}/.well-known/oauth-authorization-server`));
            const jwks = await read(fetch(`${issuer}/jwks`));
            const registered = await read(
                fetch(`${issuer}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'browser client', redirect_uris: [`${appOrigin}/callback`] }) })
            );
            const clientId = 'body' in registered ? String(registered.body.client_id) : '';
            const token = await read(
                fetch(`${issuer}/token`, { method: 'POST', headers: { ...form, dpop: 'not-a-proof' }, body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: 'unknown' }) })
            );
            const revoked = await read(fetch(`${issuer}/revoke`, { method: 'POST', headers: form, body: new URLSearchParams({ token: 'unknown', client_id: clientId }) }));
            const authorize = await read(fetch(`${issuer}/authorize?client_id=${clientId}`, { headers: { accept: 'application/json' } }));
            const decision = await read(fetch(`${issuer}/authorize/decision`, { method: 'POST', headers: form, body: 'request_id=x&decision=approve' }));
            return { metadata, jwks, registered, token, revoked, authorize, decision };
        }, { issuer: as!.origin, appOrigin: app!.origin });

        expect(results.metadata).toMatchObject({ status: 200, body: { issuer: as!.origin, revocation_endpoint: `${as!.origin}/revoke` } });
        expect(results.jwks).toMatchObject({ status: 200, body: { keys: [expect.objectContaining({ kty: 'EC' })] } });
        expect(results.registered).toMatchObject({ status: 201, body: { client_id: expect.any(String) } });
        // The DPoP header passed the preflight and reached /token, which checks the proof before the grant (RFC 9449 §5).
        expect(results.token).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
        expect(results.revoked).toMatchObject({ status: 200 });
        expect(results.authorize).toEqual({ blocked: true });
        expect(results.decision).toEqual({ blocked: true });
    });
});
