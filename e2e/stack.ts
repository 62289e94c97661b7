/**
 * Test harness: start the real AS and RS on free loopback ports, run the real
 * client process, and always stop what was started — also when a test fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, LOOPBACK_HOST } from '../support/serve.ts';
import { runToEnd, startServer, type FinishedRun, type RunningServer } from '../support/spawn.ts';

export interface Stack {
    as: RunningServer;
    rs: RunningServer;
    /** The RS's MCP endpoint, `<rs origin>/mcp`. */
    mcpUrl: string;
    stop(): Promise<void>;
}

/** Another program may take the RS's picked port before it binds; then both start again. */
const START_ATTEMPTS = 3;

/**
 * Starts demo-as on `--port 0` with `--resource` naming the RS's MCP URL (as
 * `npm run demo` does), then demo-rs pointed at it. The RS's port is picked
 * first, because the AS must know the resource before the RS can know the issuer.
 */
export async function startStack(options: { asArgs?: string[]; rsArgs?: string[] } = {}): Promise<Stack> {
    for (let attempt = 1; ; attempt++) {
        const rsPort = await freeLoopbackPort();
        const as = await startServer('demo-as/main.ts', ['--port', '0', '--resource', `http://${LOOPBACK_HOST}:${rsPort}/mcp`, ...(options.asArgs ?? [])]);
        try {
            const rs = await startServer('demo-rs/main.ts', ['--port', String(rsPort), '--issuer', as.origin, ...(options.rsArgs ?? [])]);
            return stackOf(as, rs);
        } catch (error) {
            await as.stop();
            if (attempt === START_ATTEMPTS) throw error;
        }
    }
}

function stackOf(as: RunningServer, rs: RunningServer): Stack {
    return {
        as,
        rs,
        mcpUrl: `${rs.origin}/mcp`,
        stop: async () => {
            await Promise.all([rs.stop(), as.stop()]);
        }
    };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'scoped-tools-'): { path: string; remove(): void } {
    const path = mkdtempSync(join(tmpdir(), prefix));
    return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs `demo-client/main.ts <args>` headless with its own temporary token store. */
export function runClient(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<FinishedRun> {
    return runToEnd('demo-client/main.ts', args, { env: { NO_COLOR: '1', ...options.env }, timeoutMs: options.timeoutMs });
}

/** The line demo-as logs for `GET /register` (405): a request of the test's own, to mark a place in the AS's log. */
export const AS_LOG_MARK = 'register client_id=- status=405 error=method_not_allowed';

/**
 * The AS logs a request once its answer has gone out, so its lines can arrive after the answers they describe.
 * This sends a request of the test's own and waits for its line: every request answered before it is logged by
 * then. Returns the log's length after that line; `asLinesBetween` gives what was logged between two marks.
 */
export async function markAsLog(as: RunningServer): Promise<number> {
    const from = as.stdout.length;
    const answer = await fetch(`${as.origin}/register`);
    if (answer.status !== 405) throw new Error(`GET /register answered ${answer.status}, not 405: the AS log cannot be marked`);
    const deadline = Date.now() + 5000;
    for (;;) {
        const at = as.stdout.indexOf(AS_LOG_MARK, from);
        if (at !== -1) return at + 1;
        if (Date.now() > deadline) throw new Error(`never saw the AS log its ${JSON.stringify(AS_LOG_MARK)} line`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

/** What the AS logged between two `markAsLog` marks, without the marks. */
export function asLinesBetween(as: RunningServer, from: number, to: number): string[] {
    return as.stdout.slice(from, to).filter((line) => line !== AS_LOG_MARK);
}
