/**
 * The two files a reader copies — examples/minimal-server.ts and
 * examples/minimal-client.ts — run as their headers say, against the real
 * processes:
 * - the minimal server answers the 401 challenge and RFC 9728 metadata from
 *   the SDK's helpers, refuses a token for another resource, keeps the issuer
 *   exactly, and demo-client's whole story (Bearer) passes against it;
 * - the minimal client lists, steps up with the union to write, and stops at
 *   its retry cap for purge-files, with the test playing the browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow } from './as-flow.ts';
import { eventually, grants } from './client-harness.ts';
import { driveConsentForPrintedUrls } from './printed-url-browser.ts';
import { runClient, startStack, type Stack } from './stack.ts';
import { runToEnd, startServer, type RunningServer } from '../support/spawn.ts';

describe('examples/minimal-server.ts', () => {
    let as: RunningServer;
    let server: RunningServer;
    let mcpUrl: string;

    beforeAll(async () => {
        as = await startServer('demo-as/main.ts', ['--port', '0']);
        server = await startServer('examples/minimal-server.ts', ['--port', '0', '--issuer', as.origin]);
        mcpUrl = `${server.origin}/mcp`;
    });
    afterAll(async () => {
        await Promise.all([server?.stop(), as?.stop()]);
    });

    it('answers a call without a token with 401, the least scope and its RFC 9728 metadata', async () => {
        const response = await fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
        expect(response.status).toBe(401);
        const challenge = response.headers.get('www-authenticate') ?? '';
        expect(challenge).toMatch(/^Bearer /);
        expect(challenge).toContain('scope="files:read"');
        const metadataUrl = `${server.origin}/.well-known/oauth-protected-resource/mcp`;
        expect(challenge).toContain(`resource_metadata="${metadataUrl}"`);
        const metadata = (await (await fetch(metadataUrl)).json()) as Record<string, unknown>;
        expect(metadata).toMatchObject({ resource: mcpUrl, authorization_servers: [as.origin], scopes_supported: ['files:read', 'files:write', 'files:admin'] });
    });

    it('refuses a valid token issued for another resource (RFC 8707 audience)', async () => {
        const { tokens } = await completeFlow(as.origin, { resource: 'http://127.0.0.1:9/mcp' });
        const response = await fetch(mcpUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${tokens.access_token}` },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} })
        });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('passes demo-client\'s whole story with Bearer tokens', async () => {
        const run = await runClient(['story', '--server', mcpUrl, '--headless', '--no-dpop']);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('write-file ✓');
        expect(run.stdout).toContain('purge-files stays refused: retry cap reached');
        expect(run.stdout).toContain('The story went as expected.');
    });

    it('compares the issuer exactly (RFC 8414 §3.3): one with a slash the AS does not use stops it with one line', async () => {
        const run = await runToEnd('examples/minimal-server.ts', ['--port', '0', '--issuer', `${as.origin}/`], { timeoutMs: 20_000 });
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(`minimal-server: the metadata names issuer ${as.origin}, not ${as.origin}/`);
    });
});

describe('examples/minimal-client.ts', () => {
    let stack: Stack;

    beforeAll(async () => {
        stack = await startStack();
    });
    afterAll(async () => {
        await stack?.stop();
    });

    it('lists, steps up with the union to write, and stops at its retry cap for purge-files', async () => {
        const run = await driveConsentForPrintedUrls('examples/minimal-client.ts', ['--server', stack.mcpUrl, '--no-open']);
        expect(run.stderr).toEqual([]);
        expect(run.code).toBe(0);
        expect(run.stdout.filter((line) => line.startsWith('authorize: '))).toEqual([
            'authorize: scope "files:read"',
            'authorize: scope "files:read files:write"',
            'authorize: scope "files:read files:write files:admin"'
        ]);
        expect(run.stdout).toContain('✓ write-file after a step-up; the token holds "files:read files:write"');
        expect(run.stdout).toContain('✓ purge-files refused after 1 step-up: it needs "files:admin", never granted');
        expect(run.stdout.some((line) => line.startsWith('✗'))).toBe(false);
        expect(run.visits.map((visit) => visit.callbackStatus)).toEqual([200, 200, 200]);
        // Each step-up was a fresh authorization, never a refresh (RFC 6749 §6: a refresh cannot widen scope).
        await eventually(() => expect(grants(stack.as, 'authorization_code')).toHaveLength(3));
        expect(grants(stack.as, 'refresh_token')).toEqual([]);
    });
});
