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
