/**
 * Spawning the suite's TypeScript processes directly with `node --import tsx`
 * (no `npx`: a start through npx costs most of a second), waiting for their
 * ready line, and stopping them. Used by the demo runner, the e2e tests and
 * the benchmarks, so all three start the processes exactly the same way.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { parseReadyLine } from './serve.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Spawns `node --import tsx <entry> ...args` from the project root; `node` names another Node binary (a fetched newer one). */
export function spawnTs(entry: string, args: string[], options: SpawnOptions & { node?: string } = {}): ChildProcess {
    return spawn(options.node ?? process.execPath, ['--import', 'tsx', resolve(PROJECT_ROOT, entry), ...args], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...options,
        env: { ...process.env, ...options.env }
    });
}

export interface RunningServer {
    origin: string;
    child: ChildProcess;
    /** Every stdout line so far (the ready line included). */
    stdout: string[];
    /** Every stderr line so far. */
    stderr: string[];
    /** Sends SIGTERM and resolves with the exit code once the process has gone. */
    stop(): Promise<number | null>;
}

/** Collects a stream's output as lines into `sink`, calling `onLine` for each. */
function collectLines(stream: NodeJS.ReadableStream | null, sink: string[], onLine?: (line: string) => void): void {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
            sink.push(line);
            onLine?.(line);
        }
    });
    stream?.on('end', () => {
        if (partial) sink.push(partial);
    });
}

/** Resolves when `child` has exited, with its exit code. */
export function exited(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
}

/** Starts a server entry and resolves once it prints `listening on …`; rejects if it exits or stalls first. */
export function startServer(entry: string, args: string[], options: SpawnOptions & { readyTimeoutMs?: number; node?: string } = {}): Promise<RunningServer> {
    const child = spawnTs(entry, args, options);
    const stdout: string[] = [];
    const stderr: string[] = [];
    collectLines(child.stderr, stderr);
    return new Promise((resolveStart, rejectStart) => {
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            rejectStart(new Error(`${entry} printed no ready line within ${options.readyTimeoutMs ?? 15000} ms; stderr: ${stderr.join(' | ')}`));
        }, options.readyTimeoutMs ?? 15000);
        child.once('exit', (code) => {
            clearTimeout(timer);
            rejectStart(new Error(`${entry} exited with ${code} before it was ready; stderr: ${stderr.join(' | ')}`));
        });
        collectLines(child.stdout, stdout, (line) => {
            const origin = parseReadyLine(line);
            if (!origin) return;
            clearTimeout(timer);
            resolveStart({
                origin,
                child,
                stdout,
                stderr,
                stop: async () => {
                    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
                    return exited(child);
                }
            });
        });
    });
}

export interface FinishedRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs an entry to completion and returns its exit code and output. */
export function runToEnd(entry: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<FinishedRun> {
    const child = spawnTs(entry, args, options);
    const out: string[] = [];
    const err: string[] = [];
    collectLines(child.stdout, out);
    collectLines(child.stderr, err);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60000);
    return new Promise((resolveRun) => {
        child.once('close', (code) => {
            clearTimeout(timer);
            resolveRun({ code, stdout: out.join('\n'), stderr: err.join('\n') });
        });
    });
}
