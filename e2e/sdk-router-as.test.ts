/**
 * examples/sdk-router-as.ts — an authorization server on the SDK's own
 * `mcpAuthRouter` — proven against the real client and RS:
 * - `npm run demo -- --as sdk-router` runs the whole story, `iss` checked on
 *   every authorization response, and says why the client runs without DPoP;
 * - the router's error redirects carry `iss`; the provider's policy holds
 *   (loopback-only registration, the exact redirect URI, never a redirect to
 *   an unmatched one);
 * - the pitfall: with `--redirect-with location-header` the provider writes
 *   `Location` itself, the router cannot add `iss` yet advertises it, and the
 *   client refuses the callback and redeems nothing; `--no-iss-advertised`
 *   (the provider's `authorizationResponseIssParameterSupported = false`) is
 *   the way out: the metadata stops advertising, and the same callback passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, pkcePair, postJson, registerClient } from './as-flow.ts';
import { eventually } from './client-harness.ts';
import { runClient, tempDir } from './stack.ts';
import { LOOPBACK_HOST, freeLoopbackPort } from '../support/serve.ts';
import { runToEnd, startServer, type RunningServer } from '../support/spawn.ts';

const AS = 'examples/sdk-router-as.ts';

/** The router AS (with `asArgs`) serving the RS's /mcp, and demo-rs trusting its issuer exactly as the router names it. */
async function startRouterStack(asArgs: string[] = []): Promise<{ as: RunningServer; rs: RunningServer; mcpUrl: string; stop(): Promise<void> }> {
    const rsPort = await freeLoopbackPort();
    const mcpUrl = `http://${LOOPBACK_HOST}:${rsPort}/mcp`;
    const as = await startServer(AS, ['--port', '0', '--resource', mcpUrl, ...asArgs]);
    const rs = await startServer('demo-rs/main.ts', ['--port', String(rsPort), '--issuer', `${as.origin}/`]).catch(async (error: unknown) => {
        await as.stop();
        throw error;
    });
    return { as, rs, mcpUrl, stop: async () => void (await Promise.all([rs.stop(), as.stop()])) };
}

/** `list-files` through the real client, headless and Bearer, with a fresh store. */
async function listFiles(mcpUrl: string) {
    const store = tempDir();
    try {
        return await runClient(['call', 'list-files', '--server', mcpUrl, '--headless', '--no-dpop', '--store', `${store.path}/client.json`]);
    } finally {
        store.remove();
    }
}

describe('npm run demo -- --as sdk-router', () => {
    it('runs the whole story with iss checked on every authorization response, Bearer tokens, and says why', async () => {
        const run = await runToEnd('scripts/demo.ts', ['--as', 'sdk-router'], { env: { NO_COLOR: '1', CI: 'true' }, timeoutMs: 90_000 });
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('the SDK router passes its provider no DPoP proof, so the client runs with --no-dpop (Bearer tokens)');
        expect(run.stdout).toMatch(/its metadata: issuer "http:\/\/127\.0\.0\.1:\d+\/"; iss on authorization responses advertised/);
        expect(run.stdout).toContain('3 authorization responses carried the expected iss');
        expect(run.stdout).toContain('The story went as expected.');
    });
});

describe('examples/sdk-router-as.ts, by default', () => {
    // These tests speak to the AS alone: it compares the resource as a string, so no RS is started behind it.
    const servedResource = `http://${LOOPBACK_HOST}:8/mcp`;
    let as: RunningServer;
    beforeAll(async () => {
        as = await startServer(AS, ['--port', '0', '--resource', servedResource]);
    });
    afterAll(async () => {
        await as?.stop();
    });

    it('advertises iss (RFC 9207 §3) and a jwks_uri, under an issuer with the trailing slash the router gives it', async () => {
        const metadata = (await (await fetch(`${as.origin}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
        expect(metadata).toMatchObject({ issuer: `${as.origin}/`, authorization_response_iss_parameter_supported: true, jwks_uri: `${as.origin}/jwks.json` });
    });

    it('puts iss on the router\'s own error redirects (RFC 9207 §2): a resource it does not serve → invalid_target', async () => {
        const client = await registerClient(as.origin);
        const response = await fetch(authorizeUrl(as.origin, { client, pkce: pkcePair(), resource: 'http://127.0.0.1:9/mcp' }), { redirect: 'manual' });
        expect(response.status).toBe(302);
        const callback = new URL(response.headers.get('location')!);
        expect(`${callback.origin}${callback.pathname}`).toBe(client.redirectUri);
        expect(callback.searchParams.get('error')).toBe('invalid_target');
        expect(callback.searchParams.get('iss')).toBe(`${as.origin}/`);
    });

    it('registers loopback redirect URIs only, and never redirects to one that differs in its port', async () => {
        const refused = await postJson(`${as.origin}/register`, { client_name: 'elsewhere', redirect_uris: ['https://attacker.example/callback'], token_endpoint_auth_method: 'none' });
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { error: string }).error).toBe('invalid_client_metadata');
        const client = await registerClient(as.origin);
        const otherPort = new URL(client.redirectUri);
        otherPort.port = String(Number(otherPort.port) === 65535 ? 1024 : Number(otherPort.port) + 1);
        const response = await fetch(authorizeUrl(as.origin, { client: { ...client, redirectUri: otherPort.href }, pkce: pkcePair(), resource: servedResource }), { redirect: 'manual' });
        expect(response.status).toBe(400);
        expect(response.headers.get('location')).toBeNull();
    });
});

describe('examples/sdk-router-as.ts --redirect-with location-header (the pitfall)', () => {
    let stack: Awaited<ReturnType<typeof startRouterStack>>;
    beforeAll(async () => {
        stack = await startRouterStack(['--redirect-with', 'location-header']);
    });
    afterAll(async () => {
        await stack?.stop();
    });

    it('still advertises iss, so the client refuses the callback without it and redeems nothing', async () => {
        const run = await listFiles(stack.mcpUrl);
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain('iss is missing, though the authorization server advertises authorization_response_iss_parameter_supported');
        await eventually(() => expect(stack.as.stdout).toContain('POST /authorize 302'));
        expect(stack.as.stdout.filter((line) => line.startsWith('POST /token'))).toEqual([]);
    });
});

describe('examples/sdk-router-as.ts --redirect-with location-header --no-iss-advertised (the way out)', () => {
    let stack: Awaited<ReturnType<typeof startRouterStack>>;
    beforeAll(async () => {
        stack = await startRouterStack(['--redirect-with', 'location-header', '--no-iss-advertised']);
    });
    afterAll(async () => {
        await stack?.stop();
    });

    it('stops advertising iss — the provider property the router reads for its metadata — and the same callback passes', async () => {
        const metadata = (await (await fetch(`${stack.as.origin}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
        expect(metadata.authorization_response_iss_parameter_supported).toBe(false);
        const run = await listFiles(stack.mcpUrl);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('no iss: this authorization server does not advertise it, so there is nothing to compare');
        expect(run.stdout).toContain('list-files ✓');
        expect(stack.as.stdout).toContain('POST /token 200');
    });
});
