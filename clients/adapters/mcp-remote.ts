/**
 * mcp-remote, the stdio proxy desktop MCP hosts (Claude Desktop, Cursor, Windsurf) put in front of a remote
 * server. This adapter is the desktop host: it starts mcp-remote the way the README's `mcpServers` entry does
 * (`command` + `args: [<server URL>]` + `env`) and talks MCP to it over stdio with the SDK client's stdio
 * transport, as a host built on the SDK does. Everything about authorization happens inside mcp-remote: it
 * registers, opens the consent URL with the `open` package (which runs $BROWSER when there is no display — the
 * person), listens on its own loopback callback port, and re-authorizes mid-session on its own.
 *
 * Followed: mcp-remote's README.md "Usage" (the `mcpServers` config Claude Desktop, Cursor and Windsurf read) and the
 * SDK's StdioClientTransport (`@modelcontextprotocol/client/stdio`: a host's `env` is laid over
 * getDefaultEnvironment()). The host's choices, as such a config makes them: mcp-remote's token cache in a
 * temporary MCP_REMOTE_CONFIG_DIR (so runs are independent); no DISPLAY, so the browser is $BROWSER.
 * mcp-remote runs its own fetch in its own process, so there is no recording fetch here: the wire evidence is
 * the AS's and RS's logs and the person's visit log.
 *
 * @client mcp-remote
 * @packages mcp-remote@0.15.1 @modelcontextprotocol/client@2.4.0
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { matrix, runPlan, toolResultText, type Host } from '../kit.ts';

/** `name` as the work folder installed it: its node_modules/.bin, found as Node finds packages (up from here). */
function installedBin(name: string): string {
    for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules', '.bin', name);
        if (existsSync(candidate)) return candidate;
        if (dirname(dir) === dir) throw new Error(`${name} is not installed in the adapter's work folder`);
    }
}

/** The person's own settings travel with the browser program, not with the host: pass them through. */
function personEnvironment(): Record<string, string> {
    return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('SCRIPTED_BROWSER_') && entry[1] !== undefined));
}

function browserCommand(): string {
    const browser = process.env.MATRIX_BROWSER ?? process.env.BROWSER;
    if (!browser) throw new Error('MATRIX_BROWSER is not set; clients/matrix.ts sets it');
    return browser;
}

class McpRemoteHost implements Host {
    private readonly configDir = mkdtempSync(join(tmpdir(), 'matrix-mcp-remote-'));
    private readonly client = new Client({ name: 'scoped-tools matrix desktop host', version: '1.0.0' });

    async connect(): Promise<void> {
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [installedBin('mcp-remote'), matrix.serverUrl],
            // getDefaultEnvironment() carries no DISPLAY: `open` falls back to $BROWSER, as on a headless machine.
            env: { ...getDefaultEnvironment(), ...personEnvironment(), BROWSER: browserCommand(), MCP_REMOTE_CONFIG_DIR: this.configDir },
            // mcp-remote narrates its authorization on stderr; the runner keeps the adapter's stderr.
            stderr: 'inherit'
        });
        await this.client.connect(transport);
        await this.client.listTools();
    }

    async callTool(name: string, args: Record<string, unknown>): Promise<string> {
        return toolResultText(await this.client.callTool({ name, arguments: args }));
    }

    async close(): Promise<void> {
        try {
            await this.client.close();
        } finally {
            rmSync(this.configDir, { recursive: true, force: true });
        }
    }
}

await runPlan(new McpRemoteHost());
