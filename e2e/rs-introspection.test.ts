/**
 * Opaque access tokens against a real introspection endpoint: panva's
 * oidc-provider (pinned, fetched on demand by real-as/provider-package.ts)
 * started with `--opaque-access-tokens`, and demo-rs with
 * `--introspection-url` pointing at it, authenticating as the provider's
 * static confidential client with its secret in DEMO_RS_INTROSPECTION_SECRET.
 *
 * Tokens come from the client_credentials grant with a resource indicator
 * (RFC 8707), so no browser is needed:
 * - an opaque token is accepted with exactly the scopes the provider granted;
 * - a token revoked at the provider (RFC 7009) before its first use, and a
 *   token the provider never issued, are refused 401 invalid_token;
 * - with the provider stopped, a token not seen before gets 503 with
 *   Retry-After, never a 5xx stack.
 *
 * Without the fetched provider these tests are skipped with the reason —
 * except in CI (CI set), where that is a failure.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateProvider, PROVIDER_PACKAGE } from '../real-as/provider-package.ts';
import { freeLoopbackPort, LOOPBACK_HOST } from '../support/serve.ts';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { need, requirement, runsHere } from './fetched-package.ts';
import { post, toolCall, type RunningRs } from './rs-fixture.ts';

const RS_CLIENT_SECRET = `rs-${randomUUID()}`;
const MACHINE_SECRET = `machine-${randomUUID()}`;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const provider = await requirement(locateProvider);
const group = runsHere(`demo-rs with --introspection-url against ${PROVIDER_PACKAGE}'s introspection endpoint`, [provider]);

let as: RunningServer | undefined;
let rs: RunningRs | undefined;
let endpoints: { token_endpoint: string; introspection_endpoint: string; revocation_endpoint: string };

/** An access token for the RS from the client_credentials grant (RFC 6749 §4.4) with `resource` (RFC 8707). */
async function machineToken(scope: string): Promise<string> {
    const response = await fetch(endpoints.token_endpoint, {
        method: 'POST',
        headers: { authorization: basic('machine-client', MACHINE_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: rs!.mcpUrl })
    });
    const body = (await response.json()) as { access_token?: string };
    if (response.status !== 200 || !body.access_token) throw new Error(`no token from the provider: HTTP ${response.status} ${JSON.stringify(body)}`);
    return body.access_token;
}

describe.runIf(group.runs)(group.title, () => {
    beforeAll(async () => {
        const install = need(provider, PROVIDER_PACKAGE);
        const rsPort = await freeLoopbackPort();
        const mcpUrl = `http://${LOOPBACK_HOST}:${rsPort}/mcp`;
        as = await startServer('real-as/oidc-provider.ts', ['--module', install.module, '--resource', mcpUrl, '--port', '0', '--opaque-access-tokens'], {
            node: install.node,
            readyTimeoutMs: 30_000,
            env: { OIDC_PROVIDER_RS_SECRET: RS_CLIENT_SECRET, OIDC_PROVIDER_MACHINE_SECRET: MACHINE_SECRET }
        });
        endpoints = (await (await fetch(`${as.origin}/.well-known/openid-configuration`)).json()) as typeof endpoints;
        const args = ['--port', String(rsPort), '--issuer', as.origin, '--introspection-url', endpoints.introspection_endpoint, '--introspection-client-id', 'demo-rs-introspection'];
        const started = await startServer('demo-rs/main.ts', args, { env: { DEMO_RS_INTROSPECTION_SECRET: RS_CLIENT_SECRET } });
        rs = Object.assign(started, { mcpUrl, metadataUrl: `${started.origin}/.well-known/oauth-protected-resource/mcp` });
    }, 60_000);

    afterAll(async () => {
        await Promise.all([rs?.stop(), as?.stop()]);
    });

    it("an opaque token is accepted with exactly the provider's granted scopes", async () => {
        const readOnly = await machineToken('files:read');
        expect(readOnly).not.toContain('.'); // not a JWT: only introspection can say what it is
        expect((await post(rs!, 'modern', toolCall('list-files'), readOnly)).status).toBe(200);
        const write = await post(rs!, 'modern', toolCall('write-file', { name: 'opaque.txt', content: 'x' }), readOnly);
        expect(write.status).toBe(403);
        expect(write.headers.get('www-authenticate')).toContain('scope="files:write"');
        const readWrite = await machineToken('files:read files:write');
        expect((await post(rs!, 'modern', toolCall('write-file', { name: 'opaque.txt', content: 'x' }), readWrite)).status).toBe(200);
    });

    it('a token revoked at the provider before its first use is refused 401 invalid_token', async () => {
        const token = await machineToken('files:read');
        const revoked = await fetch(endpoints.revocation_endpoint, {
            method: 'POST',
            headers: { authorization: basic('machine-client', MACHINE_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ token, token_type_hint: 'access_token' })
        });
        expect(revoked.status).toBe(200);
        const answer = await post(rs!, 'modern', toolCall('list-files'), token);
        expect(answer.status).toBe(401);
        expect(answer.json.error).toBe('invalid_token');
    });

    it('a token the provider never issued is refused 401 invalid_token', async () => {
        const answer = await post(rs!, 'modern', toolCall('list-files'), `never-issued-${randomUUID()}`);
        expect(answer.status).toBe(401);
        expect(answer.json.error).toBe('invalid_token');
    });

    it('with the provider stopped, a token not seen before gets 503 with Retry-After, and the secret is never printed', async () => {
        const unseen = await machineToken('files:read');
        await as!.stop();
        const answer = await post(rs!, 'modern', toolCall('list-files'), unseen);
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(answer.json.error).toBe('temporarily_unavailable');
        expect([...rs!.stdout, ...rs!.stderr].join('\n')).not.toContain(RS_CLIENT_SECRET);
    });
});
