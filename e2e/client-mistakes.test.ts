/**
 * The paths people take by mistake end with one line that says what to do,
 * a non-zero exit and no stack trace — never "unexpected error":
 * - `--server` with `localhost` where the resource server printed
 *   `127.0.0.1`: still refused (RFC 9728 §3.3), with the resource its
 *   metadata names and the advice to use the printed URL;
 * - `call` with a tool the server does not have: the tools it has;
 * - a URL without `/mcp` that answers 404: the resource URL from the
 *   server's protected-resource metadata;
 * - a URL nothing listens on: that URL (redacted), and that nothing answers;
 * - a URL that answers, but not as MCP (a web page): said so;
 * - `--refresh` with no refresh token stored: said so;
 * - `--port` already in use, for demo-as and demo-rs: one line naming the
 *   port (`--callback-port`: e2e/client-pre-registered.test.ts).
 * One real stack for the file; the client runs headless.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, LOOPBACK_HOST } from '../support/serve.ts';
import { runToEnd } from '../support/spawn.ts';
import { runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack;
const stores = tempDir('client-mistakes-');
const store = () => join(stores.path, `${Math.random()}.json`);
const stderrLines = (stderr: string) => stderr.split('\n').filter(Boolean);

beforeAll(async () => {
    stack = await startStack();
});
afterAll(async () => {
    await stack?.stop();
    stores.remove();
});

describe('a mistaken --server URL', () => {
    it('localhost for 127.0.0.1: refused, naming the resource the metadata names and the URL to use', async () => {
        const localhost = stack.mcpUrl.replace(LOOPBACK_HOST, 'localhost');
        const run = await runClient(['tools', '--server', localhost, '--headless', '--store', store()]);

        expect(run.code).toBe(1);
        expect(stderrLines(run.stderr)).toEqual([
            `demo-client: refused the resource server: its metadata says the resource is ${stack.mcpUrl}, not the --server URL ${localhost} (RFC 9728 §3.3); run again with --server set to the URL the resource server printed`
        ]);
        expect(run.stdout).not.toContain('Token:');
    });

    it('without /mcp, answered 404: suggests the resource URL from the protected-resource metadata', async () => {
        const run = await runClient(['tools', '--server', `${stack.rs.origin}/`, '--headless', '--store', store()]);

        expect(run.code).toBe(1);
        expect(stderrLines(run.stderr)).toEqual([
            `demo-client: the resource server answered HTTP 404 Not Found at ${stack.rs.origin}/; its protected-resource metadata (RFC 9728) names the resource ${stack.mcpUrl} — run again with --server ${stack.mcpUrl}`
        ]);
    });

    it('a 404 with no metadata to suggest from: says to use the printed URL', async () => {
        const run = await runClient(['tools', '--server', `${stack.as.origin}/mcp`, '--headless', '--store', store()]);

        expect(run.code).toBe(1);
        expect(stderrLines(run.stderr)).toEqual([
            `demo-client: the resource server answered HTTP 404 Not Found at ${stack.as.origin}/mcp; no protected-resource metadata there names the right URL — use the URL the resource server printed`
        ]);
    });

    it('nothing listening: names the URL, redacted, and says nothing answers there', async () => {
        const port = await freeLoopbackPort();
        const run = await runClient(['tools', '--server', `http://${LOOPBACK_HOST}:${port}/mcp?key=s3cret`, '--headless', '--store', store()]);

        expect(run.code).toBe(1);
        expect(stderrLines(run.stderr)).toEqual([
            `demo-client: nothing answers at http://${LOOPBACK_HOST}:${port}/mcp?key=(hidden) (connection refused); start the resource server, or run again with --server set to the URL it printed`
        ]);
        expect(run.stderr + run.stdout).not.toContain('s3cret');
    });

    it('a web page, not an MCP endpoint: says so', async () => {
        const page: Server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
        await new Promise<void>((resolve) => page.listen(0, LOOPBACK_HOST, resolve));
        const url = `http://${LOOPBACK_HOST}:${(page.address() as { port: number }).port}/mcp`;
        try {
            const run = await runClient(['tools', '--server', url, '--headless', '--store', store()]);

            expect(run.code).toBe(1);
            expect(stderrLines(run.stderr)).toEqual([
                `demo-client: ${url} answered with "text/html", not an MCP response (JSON or an event stream); is --server the MCP endpoint the resource server printed?`
            ]);
        } finally {
            page.closeAllConnections();
            await new Promise((resolve) => page.close(resolve));
        }
    });
});

describe('a tool the server does not have', () => {
    it('lists the tools there are', async () => {
        const run = await runClient(['call', 'list-fils', '--server', stack.mcpUrl, '--headless', '--store', store()]);

        expect(run.code).toBe(1);
        expect(stderrLines(run.stderr)).toEqual(['demo-client: the resource server has no tool named "list-fils"; its tools: list-files, read-file, write-file, purge-files']);
    });
});

describe('--refresh with nothing to refresh', () => {
    it('says no refresh token is stored, and how to authorize', async () => {
        const run = await runClient(['tools', '--refresh', '--server', stack.mcpUrl, '--headless', '--store', store()]);

        expect(run.code).toBe(1);
        expect(stderrLines(run.stderr)).toEqual(['demo-client: --refresh: no refresh token is stored for this server; run without --refresh to authorize']);
    });
});

describe('a --port already in use', () => {
    it('demo-as: one line naming the port, exit 1', async () => {
        const port = new URL(stack.rs.origin).port;
        const run = await runToEnd('demo-as/main.ts', ['--port', port]);

        expect(run.code).toBe(1);
        expect(run.stderr).toBe(`demo-as: ${LOOPBACK_HOST}:${port} (--port) is in use by another program; stop that program, or choose another --port (0 picks a free one)`);
    });

    it('demo-rs: one line naming the port, exit 1', async () => {
        const port = new URL(stack.as.origin).port;
        const run = await runToEnd('demo-rs/main.ts', ['--port', port, '--issuer', stack.as.origin]);

        expect(run.code).toBe(1);
        expect(run.stderr).toBe(`demo-rs: ${LOOPBACK_HOST}:${port} (--port) is in use by another program; stop that program, or choose another --port (0 picks a free one)`);
    });
});
