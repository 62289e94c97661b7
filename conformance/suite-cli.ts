/**
 * The official MCP conformance suite's command line, pinned to one release.
 *
 * The suite needs Node 22 and this project runs on Node 20, so the suite comes
 * with its own Node: the registry's `node@22` package, installed next to the
 * suite by `npx` into npx's cache (once; later runs reuse it). Only the suite
 * runs on that Node. The demo client and servers it tests keep running on the
 * project's Node, because the command the suite is given names it explicitly.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../support/spawn.ts';

export const SUITE_PACKAGE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const SUITE_NODE_PACKAGE = 'node@22';

/** Where the suite's Node and entry point are, and which Node version that is. */
export interface SuiteCli {
    node: string;
    entry: string;
    nodeVersion: string;
}

/** Installs (or finds in npx's cache) the suite and Node 22, and checks that Node really is 22. */
export async function locateSuite(): Promise<SuiteCli> {
    const probe = 'command -v node && node --version && command -v conformance';
    const { stdout } = await promisify(execFile)('npx', ['--yes', '-p', SUITE_NODE_PACKAGE, '-p', SUITE_PACKAGE, '-c', probe], {
        cwd: PROJECT_ROOT,
        timeout: 300_000
    });
    const [node, nodeVersion, entry] = stdout.trim().split('\n').map((line) => line.trim());
    if (!node || !entry || !nodeVersion?.startsWith('v22.')) {
        throw new Error(`npx did not provide Node 22 and the suite (node ${nodeVersion ?? 'missing'}, suite ${entry ?? 'missing'})`);
    }
    return { node, entry, nodeVersion };
}

/** What `conformance <args>` prints on stdout (for `list`). */
export async function suiteOutput(cli: SuiteCli, args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(cli.node, [cli.entry, ...args], { cwd: PROJECT_ROOT, timeout: 60_000 });
    return stdout;
}

export interface SuiteRun {
    code: number | null;
    timedOut: boolean;
}

export interface SuiteRunOptions {
    /** Everything the suite prints, for the results folder. */
    logFile: string;
    timeoutMs: number;
    /** Called with each line the suite prints on stdout. */
    onLine?(line: string): void;
    /** Ends the run early (e.g. the consent could not be approved, so no callback will come). */
    signal?: AbortSignal;
}

/**
 * Runs `conformance <args>` to its end. The suite runs in its own process group so that a run
 * cut short by the timeout takes the client process it spawned down with it.
 */
export function runSuite(cli: SuiteCli, args: string[], options: SuiteRunOptions): Promise<SuiteRun> {
    const log = createWriteStream(options.logFile);
    const child = spawn(cli.node, [cli.entry, ...args], { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        log.write(chunk);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        lines.forEach((line) => options.onLine?.(line));
    });
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    let timedOut = false;
    const stop = () => {
        if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    };
    const timer = setTimeout(() => {
        timedOut = true;
        stop();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', stop, { once: true });
    return new Promise((resolve) => {
        child.once('close', (code) => {
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', stop);
            log.end(() => resolve({ code, timedOut }));
        });
    });
}
