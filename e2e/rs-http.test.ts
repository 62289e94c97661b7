/**
 * Resource Server, HTTP hygiene: bad input is a 4xx JSON answer (never a 5xx
 * or a crash), the Host header is checked against DNS rebinding, the listener
 * is on 127.0.0.1 only, flags are checked, and SIGTERM ends it with 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd } from '../support/spawn.ts';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { post, rawHttp, send, startRs, toolCall, type RunningRs } from './rs-fixture.ts';
import { acceptsConnection } from './tcp.ts';

let as: FakeAs;
let rs: RunningRs;
let token: string;

beforeAll(async () => {
    as = await startFakeAs();
    rs = await startRs(as.origin);
    token = await as.mint({ audience: rs.mcpUrl, scope: 'files:read files:write' });
});

afterAll(async () => {
    await rs?.stop();
    await as?.stop();
});

function postRaw(body: string, headers: Record<string, string> = {}) {
    return send(rs.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...headers },
        body
    });
}

describe('bad input on /mcp', () => {
    it('malformed JSON → 400 JSON-RPC parse error', async () => {
        const answer = await postRaw('{"jsonrpc": "2.0", "method": <oops>');
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: expect.any(String) }, id: null });
        expect(answer.text).not.toContain('oops');
    });

    it('a body over the size limit → 413 JSON', async () => {
        const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'write-file', arguments: { name: 'big.txt', content: 'x'.repeat(200_000) } } });
        const answer = await postRaw(huge);
        expect(answer.status).toBe(413);
        expect(answer.json.error.code).toBe(-32600);
    });

    it('a non-JSON content type → 415 JSON, before anything reads the body', async () => {
        const answer = await postRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'purge-files' } }), { 'content-type': 'text/plain' });
        expect(answer.status).toBe(415);
        expect(answer.json).toMatchObject({ error: 'unsupported_media_type' });
    });

    it('a JSON body that is not JSON-RPC → 4xx from the SDK, never 5xx', async () => {
        const answer = await postRaw('{"hello": "world"}');
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
    });

    it.each(['GET', 'DELETE', 'PUT'])('%s /mcp → 405 JSON with Allow: POST', async (method) => {
        const answer = await send(rs.mcpUrl, { method, headers: { authorization: `Bearer ${token}` } });
        expect(answer.status).toBe(405);
        expect(answer.headers.get('allow')).toBe('POST');
        expect(answer.json).toMatchObject({ error: 'method_not_allowed' });
    });

    it('the RS is still serving after all of that', async () => {
        expect((await post(rs, 'legacy', toolCall('list-files'), token)).status).toBe(200);
        expect(rs.child.exitCode).toBeNull();
    });
});

describe('other paths', () => {
    it('an unknown path → 404 JSON without echoing it', async () => {
        const answer = await send(`${rs.origin}/admin/secret-probe`);
        expect(answer.status).toBe(404);
        expect(answer.json).toMatchObject({ error: 'not_found' });
        expect(answer.text).not.toContain('secret-probe');
    });

    it('POST to the metadata document → 405 JSON', async () => {
        const answer = await send(rs.metadataUrl, { method: 'POST' });
        expect(answer.status).toBe(405);
        expect(answer.headers.get('allow')).toBe('GET');
    });
});

describe('DNS rebinding protection', () => {
    it('a foreign Host header → 403 JSON from the SDK middleware, before authentication', async () => {
        const answer = await rawHttp(rs.mcpUrl, {
            method: 'POST',
            headers: { host: 'attacker.example:80', 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } })
        });
        expect(answer.status).toBe(403);
        expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    });

    it('also for the metadata document', async () => {
        const answer = await rawHttp(rs.metadataUrl, { headers: { host: 'attacker.example' } });
        expect(answer.status).toBe(403);
    });

    it('a loopback Host header with any port is accepted', async () => {
        const answer = await rawHttp(rs.metadataUrl, { headers: { host: 'localhost:1234' } });
        expect(answer.status).toBe(200);
    });

    it('a foreign Origin (a web page in a browser) → 403', async () => {
        const answer = await rawHttp(rs.metadataUrl, { headers: { origin: 'https://attacker.example' } });
        expect(answer.status).toBe(403);
    });
});

describe('process', () => {
    it('listens on 127.0.0.1 only', async () => {
        const port = Number(new URL(rs.origin).port);
        expect(rs.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(await acceptsConnection('127.0.0.1', port)).toBe(true);
        // Also loopback on Linux: reachable only if the RS had bound a wildcard address.
        expect(await acceptsConnection('127.0.0.2', port)).toBe(false);
        expect(await acceptsConnection('::1', port)).toBe(false);
    });

    it('without --issuer: one line on stderr and exit 2', async () => {
        const run = await runToEnd('demo-rs/main.ts', ['--port', '0']);
        expect(run.code).toBe(2);
        expect(run.stderr.trim()).toBe('demo-rs: --issuer <url> is required');
    });

    it('an unknown flag: one line on stderr and exit 2', async () => {
        const run = await runToEnd('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin, '--bogus']);
        expect(run.code).toBe(2);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('SIGTERM → exit 0', async () => {
        const own = await startRs(as.origin);
        expect(await own.stop()).toBe(0);
    });
});
