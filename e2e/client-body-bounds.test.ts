/**
 * Client: no body a server sends is read without end. A hostile server
 * streams an endless body — protected-resource metadata, AS metadata, a
 * registration response, a token response, a token error, one MCP event —
 * and counts how many bytes it got to write before the client closed the
 * connection. The client stops after its bound (64 KiB for OAuth documents
 * and error bodies, 4 MiB for one MCP message; demo-client/bounded-fetch.ts),
 * says in one line which URL sent too much, and exits non-zero. The count
 * includes what the kernel's socket buffers took on both sides, so the
 * assertion is "the bound plus those buffers", far below what the server
 * would write to a client that reads on.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES, MAX_MCP_MESSAGE_BYTES } from '../demo-client/bounded-fetch.ts';
import { FLOOD_CAP_BYTES } from './fixtures/endless-body.ts';
import { behave, eventually, startHostile, type Servers } from './client-harness.ts';
import { runClient, tempDir } from './stack.ts';

// One hostile pair for the file: each test switches on its flood (as if the server had been started with
// --flood) and the other server's off, and reads only the flood line its own run caused.
let servers: Servers;
const stores = tempDir('client-body-bounds-');

beforeAll(async () => {
    servers = await startHostile([]);
});
afterAll(async () => {
    await servers?.stop();
    stores.remove();
});

/**
 * What the server could write that the client never read: the server's socket send buffer (Linux
 * autotunes it up to tcp_wmem's maximum, 4 MiB by default) and the client's receive buffer. Measured
 * here: about 4 MB beyond each bound; a client that reads on gets all FLOOD_CAP_BYTES.
 */
const SLACK_BYTES = 8 * 1024 * 1024;

/** The bytes the flooding server logged it wrote (from its log line `from` on), once the client hung up. */
async function floodedBytes(server: Servers['as'], from: number): Promise<number> {
    let line: string | undefined;
    await eventually(() => {
        line = server.stdout.slice(from).find((candidate) => candidate.startsWith('flood '));
        expect(line).toBeDefined();
    });
    return Number(/bytes=(\d+)/.exec(line!)![1]);
}

describe('an endless body is cut off at its bound', () => {
    it.each([
        ['protected-resource metadata', null, 'prm', 'rs', '/.well-known/oauth-protected-resource/mcp', 'a body of more than 64 KiB', MAX_DOCUMENT_BYTES],
        ['authorization server metadata', 'as-metadata', null, 'as', '/.well-known/oauth-authorization-server', 'a body of more than 64 KiB', MAX_DOCUMENT_BYTES],
        ['registration response', 'registration', null, 'as', '/register', 'a body of more than 64 KiB', MAX_DOCUMENT_BYTES],
        ['token response', 'token', null, 'as', '/token', 'a body of more than 64 KiB', MAX_DOCUMENT_BYTES],
        ['token error body', 'token-error', null, 'as', '/token', 'a body of more than 64 KiB', MAX_DOCUMENT_BYTES],
        ['MCP event', null, 'mcp-event', 'rs', '/mcp', 'an event of more than 4 MiB', MAX_MCP_MESSAGE_BYTES]
    ] as const)('%s: one line, exit 1, the server could write little more than the bound', async (_name, asFlood, rsFlood, flooder, path, what, bound) => {
        await behave(servers.as, { flood: asFlood });
        await behave(servers.rs, { flood: rsFlood });
        const from = servers[flooder].stdout.length;
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', join(stores.path, `${Math.random()}.json`)]);

        const written = await floodedBytes(servers[flooder], from);
        expect(written).toBeGreaterThan(bound);
        expect(written).toBeLessThan(Math.min(bound + SLACK_BYTES, FLOOD_CAP_BYTES));
        expect(run.code).toBe(1);
        expect(run.stderr.split('\n').filter(Boolean)).toEqual([`demo-client: ${servers[flooder].origin}${path} sent ${what}; refused`]);
    });
});
