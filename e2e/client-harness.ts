/**
 * Helpers for the client's e2e tests: start the hostile fixtures (or the real
 * AS behind a scripted RS), run the real client process — to the end, or
 * live so a test can play the browser — and read the servers' log lines.
 */
import type { ChildProcess } from 'node:child_process';
import { vi } from 'vitest';
import { exited, spawnTs, startServer, type RunningServer } from '../support/spawn.ts';

export interface Servers {
    as: RunningServer;
    rs: RunningServer;
    mcpUrl: string;
    stop(): Promise<void>;
}

async function pair(asEntry: string, asArgs: string[], rsEntry: string, rsArgs: string[]): Promise<Servers> {
    const as = await startServer(asEntry, ['--port', '0', ...asArgs]);
    try {
        const rs = await startServer(rsEntry, ['--port', '0', '--issuer', as.origin, ...rsArgs]);
        return { as, rs, mcpUrl: `${rs.origin}/mcp`, stop: async () => void (await Promise.all([rs.stop(), as.stop()])) };
    } catch (error) {
        await as.stop();
        throw error;
    }
}

/** The hostile AS (flags as given) and the scripted resource whose metadata points at it. */
export const startHostile = (asArgs: string[], rsArgs: string[] = []) => pair('e2e/fixtures/hostile-as.ts', asArgs, 'e2e/fixtures/hostile-rs.ts', rsArgs);

/** The real demo AS behind the scripted resource (for challenges the real RS never sends). */
export const startRealAsWithHostileRs = (rsArgs: string[]) => pair('demo-as/main.ts', [], 'e2e/fixtures/hostile-rs.ts', rsArgs);

/**
 * Switches a hostile fixture's flags for every later request, as if it had been started with them
 * (`POST /fixture/behaviour`; null unsets a flag), so a file's tests can share one process.
 */
export async function behave(server: RunningServer, flags: Record<string, string | null>): Promise<void> {
    const answer = await fetch(`${server.origin}/fixture/behaviour`, { method: 'POST', body: JSON.stringify(flags) });
    if (answer.status !== 204) throw new Error(`${server.origin} refused the behaviour ${JSON.stringify(flags)}: ${answer.status} ${await answer.text()}`);
}

/** The client_id a client run registered, from its `Registration: client_id <id>, …` line; throws if it printed none. */
export function registeredClientId(stdout: string): string {
    const id = /Registration: client_id ([^,\s]+),/.exec(stdout)?.[1];
    if (!id) throw new Error(`the run printed no registration line; stdout: ${stdout}`);
    return id;
}

/** The AS's `token …` log lines so far. */
export const tokenLines = (as: RunningServer) => as.stdout.filter((line) => line.startsWith('token '));

/** The AS's `register …` log lines so far. */
export const registerLines = (as: RunningServer) => as.stdout.filter((line) => line.startsWith('register ') && line.includes('status=201'));

/** `token` lines with this grant type. */
export const grants = (as: RunningServer, grantType: string) => tokenLines(as).filter((line) => line.startsWith(`token grant_type=${grantType} `));

/** Retries `check` until it passes (log lines arrive through pipes a moment after the fact). */
export async function eventually(check: () => void): Promise<void> {
    await vi.waitFor(check, { timeout: 5000, interval: 50 });
}

export interface LiveClient {
    child: ChildProcess;
    stdout: string[];
    stderr: string[];
    /** Resolves with the first stdout line matching `pattern` (already printed or still to come). */
    line(pattern: RegExp): Promise<string>;
    /** The exit code once the process ends. */
    exit: Promise<number | null>;
}

/** Starts `demo-client/main.ts <args>` and keeps it running, so the test can act as the user's browser. */
export function startClient(args: string[], env: NodeJS.ProcessEnv = {}): LiveClient {
    const child = spawnTs('demo-client/main.ts', args, { env: { NO_COLOR: '1', ...env } });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const collect = (stream: NodeJS.ReadableStream | null, sink: string[]) => {
        let partial = '';
        stream?.setEncoding('utf8');
        stream?.on('data', (chunk: string) => {
            const parts = (partial + chunk).split('\n');
            partial = parts.pop() ?? '';
            sink.push(...parts);
        });
    };
    collect(child.stdout, stdout);
    collect(child.stderr, stderr);
    const exit = exited(child);
    const line = async (pattern: RegExp) => {
        let found: string | undefined;
        await vi.waitFor(
            () => {
                found = stdout.find((candidate) => pattern.test(candidate));
                if (!found) throw new Error(`no line matching ${pattern} yet; stdout: ${stdout.join(' | ')}; stderr: ${stderr.join(' | ')}`);
            },
            { timeout: 15000, interval: 50 }
        );
        return found!;
    };
    return { child, stdout, stderr, line, exit };
}

export const OPEN_PREFIX = 'Open this URL in your browser: ';

/** The authorization URLs the client has printed so far, in order. */
export const printedUrls = (client: LiveClient) => client.stdout.filter((line) => line.startsWith(OPEN_PREFIX)).map((line) => new URL(line.slice(OPEN_PREFIX.length)));

/** Plays the browser against the hostile AS (which redirects at once): returns the callback URL it redirects to. */
export async function callbackUrlFor(authorizationUrl: URL): Promise<URL> {
    const response = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) throw new Error(`expected a redirect from /authorize, got ${response.status}`);
    return new URL(location);
}
