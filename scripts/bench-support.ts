/**
 * What every benchmark part shares: a lean keep-alive HTTP client for
 * loopback (node:http, so the load generator spends little of the machine's
 * two cores on itself), a closed-loop driver that keeps N requests in flight
 * for a fixed time, and the statistics the report is made of (medians and
 * percentiles over repeated runs, never a single sample).
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';

export interface HttpAnswer {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

export interface HttpCall {
    method: string;
    url: string;
    headers?: Record<string, string>;
    body?: string;
}

/** A keep-alive agent for one load generator; `sockets` bounds the connections it opens. */
export function keepAliveAgent(sockets: number): Agent {
    return new Agent({ keepAlive: true, maxSockets: sockets });
}

/** One HTTP exchange on loopback; the whole body is read as text. */
export function http(agent: Agent, call: HttpCall): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
        const outgoing = request(call.url, { method: call.method, headers: call.headers, agent }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
            response.on('error', reject);
        });
        outgoing.on('error', reject);
        outgoing.end(call.body);
    });
}

export interface LoopResult {
    /** Completed operations per second over the measured window. */
    perSecond: number;
    completed: number;
    /** Every operation the loop ran, the warm-up included. */
    operations: number;
    /** Latency of each completed operation, ms. */
    latenciesMs: number[];
}

/**
 * Keeps `concurrency` operations in flight for `durationMs` (after a warm-up
 * that is not counted) and reports throughput and latencies. An operation
 * that fails rejects the whole loop: a benchmark of errors is not a benchmark.
 */
export async function closedLoop(operation: (worker: number) => Promise<void>, options: { concurrency: number; durationMs: number; warmupMs: number }): Promise<LoopResult> {
    const latenciesMs: number[] = [];
    const warmEnd = performance.now() + options.warmupMs;
    const end = warmEnd + options.durationMs;
    let operations = 0;
    const worker = async (index: number) => {
        for (let started = performance.now(); started < end; started = performance.now()) {
            await operation(index);
            operations++;
            const finished = performance.now();
            if (started >= warmEnd && finished <= end) latenciesMs.push(finished - started);
        }
    };
    await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
    return { perSecond: (latenciesMs.length * 1000) / options.durationMs, completed: latenciesMs.length, operations, latenciesMs };
}

/** The q-quantile (0..1) of `values`, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
    if (values.length === 0) return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** Rounds for the report: whole numbers above 100, one decimal below, two below 1. */
export function round(value: number): number {
    const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 1 : 2;
    return Number(value.toFixed(digits));
}

export interface MachineInfo {
    cpu: string;
    cores: number;
    memoryGb: number;
    node: string;
    platform: string;
    /** 1-minute load average when the run started: how busy the machine already was. */
    loadAverageAtStart: number;
}

export function describeMachine(): MachineInfo {
    return {
        cpu: cpus()[0]?.model.trim() ?? 'unknown',
        cores: cpus().length,
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        loadAverageAtStart: round(loadavg()[0])
    };
}

/** USER_HZ: /proc reports CPU times in these ticks per second (100 on Linux). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) process `pid` has used so far, in ms, from /proc (Linux). */
export async function processCpuMs(pid: number): Promise<number> {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of proc(5); the slice starts at field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of process `pid` in MB, from /proc (Linux). */
export async function residentMb(pid: number): Promise<number> {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
    if (!Number.isFinite(kb)) throw new Error(`no VmRSS for process ${pid}`);
    return kb / 1024;
}

/** Resolves after `ms`; used only to let a process settle before a memory reading. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
