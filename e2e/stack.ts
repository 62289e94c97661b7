/**
 * Test harness: start the real AS and RS on free loopback ports, run the real
 * client process, and always stop what was started — also when a test fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToEnd, startServer, type FinishedRun, type RunningServer } from '../support/spawn.ts';

export interface Stack {
    as: RunningServer;
    rs: RunningServer;
    /** The RS's MCP endpoint, `<rs origin>/mcp`. */
    mcpUrl: string;
    stop(): Promise<void>;
}

/** Starts demo-as, then demo-rs pointed at it, each on `--port 0`. */
export async function startStack(options: { asArgs?: string[]; rsArgs?: string[] } = {}): Promise<Stack> {
    const as = await startServer('demo-as/main.ts', ['--port', '0', ...(options.asArgs ?? [])]);
    let rs: RunningServer;
    try {
        rs = await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin, ...(options.rsArgs ?? [])]);
    } catch (error) {
        await as.stop();
        throw error;
    }
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
