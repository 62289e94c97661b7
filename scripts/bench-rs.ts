/**
 * Resource-server throughput: authorized `tools/call` at 16 requests in
 * flight against the real demo-rs (JWT verified on every request), and the
 * same load against the bench-only build without the JWT gate
 * (bench-rs-unauthenticated.ts). The two alternate round by round, so each
 * ratio compares runs made under the same machine conditions.
 *
 * Throughput on a shared 2-core machine moves with whatever else runs, so
 * each server's own CPU time per call is measured too (from /proc): that
 * ratio is what the JWT gate costs, whoever else is busy.
 */
import { startServer, type RunningServer } from '../support/spawn.ts';
import { authorizationCodeFlow, register } from './bench-oauth.ts';
import { closedLoop, http, keepAliveAgent, median, processCpuMs, quantile, type HttpCall, type LoopResult } from './bench-support.ts';

export const RS_CONCURRENCY = 16;

export interface RsResult {
    rsCallsPerSec: number;
    rsUnauthenticatedCallsPerSec: number;
    rsAuthRatio: number;
    /** Server CPU per call without the JWT gate / with it: rsAuthRatio measured in CPU time instead of wall time. */
    rsAuthCpuRatio: number;
    rsCpuPerCallMs: number;
    rsUnauthenticatedCpuPerCallMs: number;
    rsP50Ms: number;
    rsP99Ms: number;
    rsUnauthenticatedP50Ms: number;
    rsUnauthenticatedP99Ms: number;
}

/**
 * A 2025-11-25 (stateless) `tools/call list-files`, the call every client of the demo makes first.
 * Both servers get the same bytes, token included; the bench-only build just never looks at it.
 */
function listFilesCall(mcpUrl: string, token: string): HttpCall {
    return {
        method: 'POST',
        url: mcpUrl,
        headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2025-11-25',
            authorization: `Bearer ${token}`
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } })
    };
}

/** Closed-loop load on one server, with the CPU time that server spent per call. */
async function throughput(server: RunningServer, call: HttpCall, durationMs: number): Promise<LoopResult & { cpuPerCallMs: number }> {
    const pid = server.child.pid as number;
    const cpuBefore = await processCpuMs(pid);
    const result = await load(call, durationMs);
    return { ...result, cpuPerCallMs: ((await processCpuMs(pid)) - cpuBefore) / result.operations };
}

async function load(call: HttpCall, durationMs: number): Promise<LoopResult> {
    const agent = keepAliveAgent(RS_CONCURRENCY);
    try {
        return await closedLoop(
            async () => {
                const answer = await http(agent, call);
                if (answer.status !== 200 || !answer.body.includes('notes.txt')) throw new Error(`tools/call answered HTTP ${answer.status}`);
            },
            { concurrency: RS_CONCURRENCY, durationMs, warmupMs: 100 }
        );
    } finally {
        agent.destroy();
    }
}

/** Runs both measurements, `aFirst` deciding the order, so a drift in machine load does not favour either; returns [a, b]. */
async function alternating<T>(aFirst: boolean, a: () => Promise<T>, b: () => Promise<T>): Promise<[T, T]> {
    if (aFirst) {
        const resultA = await a();
        return [resultA, await b()];
    }
    const resultB = await b();
    return [await a(), resultB];
}

export async function measureRs(pairs: number, durationMs: number): Promise<RsResult> {
    const started: RunningServer[] = [];
    try {
        const as = await startServer('demo-as/main.ts', ['--port', '0']);
        started.push(as);
        const [rs, bare] = await Promise.all([
            startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin]),
            startServer('scripts/bench-rs-unauthenticated.ts', ['--port', '0'])
        ]);
        started.push(rs, bare);
        const agent = keepAliveAgent(1);
        const client = await register(agent, as.origin);
        const tokens = await authorizationCodeFlow(agent, as.origin, client, `${rs.origin}/mcp`, 'files:read');
        agent.destroy();

        const authorized = listFilesCall(`${rs.origin}/mcp`, tokens.access_token);
        const bypassed = listFilesCall(`${bare.origin}/mcp`, tokens.access_token);
        const rates: number[][] = [[], []];
        const p50: number[][] = [[], []];
        const p99: number[][] = [[], []];
        const cpu: number[][] = [[], []];
        const ratios: number[] = [];
        const cpuRatios: number[] = [];
        // Both servers reach steady state (JIT, connection pools) before anything counts.
        await load(authorized, durationMs);
        await load(bypassed, durationMs);
        for (let round = 0; round < pairs; round++) {
            const pair = await alternating(
                round % 2 === 0,
                () => throughput(rs, authorized, durationMs),
                () => throughput(bare, bypassed, durationMs)
            );
            pair.forEach((result, index) => {
                rates[index].push(result.perSecond);
                p50[index].push(quantile(result.latenciesMs, 0.5));
                p99[index].push(quantile(result.latenciesMs, 0.99));
                cpu[index].push(result.cpuPerCallMs);
            });
            ratios.push(pair[0].perSecond / pair[1].perSecond);
            cpuRatios.push(pair[1].cpuPerCallMs / pair[0].cpuPerCallMs);
        }
        return {
            rsCallsPerSec: median(rates[0]),
            rsUnauthenticatedCallsPerSec: median(rates[1]),
            rsAuthRatio: median(ratios),
            rsAuthCpuRatio: median(cpuRatios),
            rsCpuPerCallMs: median(cpu[0]),
            rsUnauthenticatedCpuPerCallMs: median(cpu[1]),
            rsP50Ms: median(p50[0]),
            rsP99Ms: median(p99[0]),
            rsUnauthenticatedP50Ms: median(p50[1]),
            rsUnauthenticatedP99Ms: median(p99[1])
        };
    } finally {
        await Promise.all(started.map((server) => server.stop()));
    }
}
