/**
 * mcp-remote (pinned), the stdio proxy desktop MCP hosts use to reach remote
 * servers, against the real demo-as and demo-rs with no flags. The test is
 * the MCP host: it spawns mcp-remote and talks MCP to it over stdio with the
 * SDK client's stdio transport. mcp-remote opens the consent URL with the
 * `open` package, which runs the BROWSER command when there is no display;
 * BROWSER is e2e/scripted-browser.ts, approving the consent page as a person
 * would and recording what it saw.
 *
 * - The story: dynamic registration, list-files ✓, write-file → 403 →
 *   re-authorization asking for the union `files:read files:write` → write ✓.
 * - RFC 9207: when the browser rewrites `iss` on the callback, mcp-remote
 *   refuses the response — the code is never redeemed and no tool runs.
 *
 * mcp-remote declares no engines and runs on the project's Node. Its token
 * cache lives in a temporary MCP_REMOTE_CONFIG_DIR, so runs are independent.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/spawn.ts';
import { fetchCommand, need, requirement, runsHere, type FetchedCommand } from './fetched-package.ts';
import { parseVisits, type BrowserVisit } from './scripted-browser.ts';
import { startStack, tempDir, type Stack } from './stack.ts';

const MCP_REMOTE = 'mcp-remote@0.15.1';

const mcpRemote = await requirement(() => fetchCommand(MCP_REMOTE, 'mcp-remote'));
const group = runsHere(`${MCP_REMOTE} over stdio against demo-as + demo-rs`, [mcpRemote]);

interface HostRun {
    client: Client;
    connected: Promise<void>;
    stderr: () => string;
    visits: () => BrowserVisit[];
}

/** Writes the BROWSER command: a shell script that runs the scripted browser with the project's tsx. */
function browserCommand(dir: string): string {
    const path = join(dir, 'browser.sh');
    writeFileSync(path, `#!/bin/sh\ncd '${PROJECT_ROOT}' && exec '${process.execPath}' --import tsx e2e/scripted-browser.ts "$1"\n`);
    chmodSync(path, 0o755);
    return path;
}

/** Spawns mcp-remote for `serverUrl` as an MCP host would, with its own config dir and the scripted browser. */
function startHost(command: FetchedCommand, serverUrl: string, dir: string, browserEnv: Record<string, string> = {}): HostRun {
    mkdirSync(dir, { recursive: true });
    const log = join(dir, 'visits.jsonl');
    const transport = new StdioClientTransport({
        command: command.node,
        args: [command.entry, serverUrl],
        // No DISPLAY: `open` falls back to the BROWSER command, as on a headless machine.
        env: { PATH: process.env.PATH ?? '', HOME: dir, MCP_REMOTE_CONFIG_DIR: join(dir, 'mcp-auth'), BROWSER: browserCommand(dir), SCRIPTED_BROWSER_LOG: log, ...browserEnv },
        stderr: 'pipe'
    });
    const stderr: string[] = [];
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    const client = new Client({ name: 'scoped-tools e2e host', version: '1.0.0' });
    return {
        client,
        connected: client.connect(transport),
        stderr: () => stderr.join(''),
        visits: () => (existsSync(log) ? parseVisits(readFileSync(log, 'utf8')) : [])
    };
}

function scopeAsked(visit: BrowserVisit | undefined): string | null {
    return visit ? new URL(visit.authorizeUrl).searchParams.get('scope') : null;
}

function clientIdOf(visit: BrowserVisit | undefined): string {
    const id = visit ? new URL(visit.authorizeUrl).searchParams.get('client_id') : null;
    if (!id) throw new Error('the scripted browser was never opened with an authorization URL');
    return id;
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
    return (result.content as Array<{ type: string; text?: string }>).map((part) => part.text ?? '').join('\n');
}

describe.skipIf(!group.runs)(group.title, () => {
    let stack: Stack;
    let work: ReturnType<typeof tempDir>;

    beforeAll(async () => {
        work = tempDir('scoped-tools-mcp-remote-');
        stack = await startStack();
    });

    afterAll(async () => {
        await stack?.stop();
        work?.remove();
    });

    it('registers, lists files, steps up with the union for write-file and writes', async () => {
        const command = need(mcpRemote, MCP_REMOTE);
        const host = startHost(command, stack.mcpUrl, join(work.path, 'story'));
        try {
            await host.connected;
            const [first] = host.visits();
            const clientId = clientIdOf(first);
            expect(stack.as.stdout.filter((line) => line.startsWith('register '))).toEqual([`register client_id=${clientId} status=201`]);
            expect(scopeAsked(first)).toBe('files:read');
            expect(first!.deliveredIss).toBe(stack.as.origin);
            expect(first!.callbackStatus).toBe(200);
            expect(stack.as.stdout).toContain(`token grant_type=authorization_code client_id=${clientId} status=200 scope="files:read"`);

            const names = (await host.client.listTools()).tools.map((tool) => tool.name);
            expect(names).toEqual(expect.arrayContaining(['list-files', 'write-file']));
            expect(textOf(await host.client.callTool({ name: 'list-files', arguments: {} }))).toContain('README.md');
            await expect.poll(() => stack.rs.stdout).toContain(`call tool=list-files client_id=${clientId} status=200`);

            const written = await host.client.callTool({ name: 'write-file', arguments: { name: 'via-mcp-remote.txt', content: 'written through mcp-remote' } });
            expect(written.isError ?? false).toBe(false);
            expect(textOf(written)).toContain('via-mcp-remote.txt');
            // The RS logs a call after it answers it, so its line may arrive just after the result does.
            const calls = () => stack.rs.stdout.filter((line) => line.startsWith(`call tool=write-file client_id=${clientId} `));
            await expect.poll(calls).toEqual([`call tool=write-file client_id=${clientId} status=403`, `call tool=write-file client_id=${clientId} status=200`]);
            const visits = host.visits();
            expect(visits).toHaveLength(2);
            expect(scopeAsked(visits[1])).toBe('files:read files:write');
            expect(clientIdOf(visits[1])).toBe(clientId);
            expect(stack.as.stdout).toContain(`token grant_type=authorization_code client_id=${clientId} status=200 scope="files:read files:write"`);
        } finally {
            await host.client.close();
        }
    });

    it('refuses the authorization response when the browser rewrites iss (RFC 9207): no code redeemed, no tool run', async () => {
        const command = need(mcpRemote, MCP_REMOTE);
        const forged = 'http://127.0.0.1:9/forged-issuer';
        const host = startHost(command, stack.mcpUrl, join(work.path, 'iss'), { SCRIPTED_BROWSER_ISS: forged });
        try {
            await expect(host.connected).rejects.toThrow();
            const [visit] = host.visits();
            const clientId = clientIdOf(visit);
            expect(visit!.deliveredIss).toBe(forged);
            expect(stack.as.stdout).toContain(`decision client_id=${clientId} status=302 decision=approve`);
            expect(stack.as.stdout.filter((line) => line.startsWith('token ') && line.includes(`client_id=${clientId} `))).toEqual([]);
            expect(stack.rs.stdout.filter((line) => line.includes(`client_id=${clientId} `))).toEqual([]);
            expect(host.stderr()).toContain(`IssuerMismatchError: Issuer mismatch in authorization response (RFC 9207): expected "${stack.as.origin}"`);
        } finally {
            await host.client.close();
        }
    });
});
