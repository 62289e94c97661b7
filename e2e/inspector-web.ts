/**
 * Starts the MCP Inspector's web UI (fetched, pinned, see fetched-package.ts)
 * on 127.0.0.1 for one ad-hoc Streamable HTTP server, the way a developer
 * runs `npx @modelcontextprotocol/inspector --transport http --server-url …`,
 * with only what a test needs changed:
 *
 * - CLIENT_PORT: a free port. The Inspector refuses port 0 (its origin
 *   allow-list is derived from the port), so one is picked here, and another
 *   if that one was taken in the meantime.
 * - MCP_SANDBOX_PORT, MCP_APP_ORIGIN_PORT = 0: the MCP Apps sandbox and app
 *   origin on OS-assigned ports, so parallel runs never collide.
 * - MCP_AUTO_OPEN_ENABLED=false: the test opens the page in its own browser.
 * - HOME and MCP_STORAGE_DIR in a temporary directory: no state survives.
 * Its API token stays on: the test opens the URL the banner prints, token
 * included, as the developer would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { exited } from '../support/spawn.ts';
import type { FetchedCommand } from './fetched-package.ts';

export interface RunningInspector {
    /** The web UI's URL as the banner prints it, with its API token. */
    url: string;
    output: () => string;
    stop(): Promise<void>;
}

const READY = /MCP Inspector Web is up and running at:\s+(\S+)/;
const PORT_TAKEN = 'PORT IS IN USE';
const START_TIMEOUT_MS = 60_000;

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
        });
    });
}

function stopGroup(child: ChildProcess): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
    return exited(child).then(() => undefined);
}

async function startOnce(command: FetchedCommand, serverUrl: string, dir: string): Promise<RunningInspector | 'port taken'> {
    const port = await freePort();
    const child = spawn(command.node, [command.entry, '--web', '--transport', 'http', '--server-url', serverUrl], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
            PATH: process.env.PATH ?? '',
            HOME: dir,
            MCP_STORAGE_DIR: join(dir, 'storage'),
            HOST: '127.0.0.1',
            CLIENT_PORT: String(port),
            MCP_SANDBOX_PORT: '0',
            MCP_APP_ORIGIN_PORT: '0',
            MCP_AUTO_OPEN_ENABLED: 'false'
        }
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const stop = () => stopGroup(child);
    return new Promise((resolve, reject) => {
        const fail = (why: string) => {
            clearInterval(poll);
            void stop().then(() => reject(new Error(`the MCP Inspector ${why}; it printed: ${output.trim().split('\n').slice(-5).join(' | ')}`)));
        };
        const timer = setTimeout(() => fail(`printed no ready banner within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
        const poll = setInterval(() => {
            const ready = READY.exec(output);
            if (ready) {
                clearInterval(poll);
                clearTimeout(timer);
                resolve({ url: ready[1]!, output: () => output, stop });
            } else if (output.includes(PORT_TAKEN)) {
                clearInterval(poll);
                clearTimeout(timer);
                void stop().then(() => resolve('port taken'));
            }
        }, 100);
        child.once('exit', (code) => {
            if (!READY.test(output) && !output.includes(PORT_TAKEN)) {
                clearTimeout(timer);
                fail(`exited with ${code} before it was ready`);
            }
        });
    });
}

/** Starts the web UI for `serverUrl`, with its state in `dir`. */
export async function startInspector(command: FetchedCommand, serverUrl: string, dir: string): Promise<RunningInspector> {
    for (let attempt = 0; attempt < 3; attempt++) {
        const started = await startOnce(command, serverUrl, dir);
        if (started !== 'port taken') return started;
    }
    throw new Error('the MCP Inspector found its port taken three times in a row');
}
