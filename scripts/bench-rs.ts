/**
 * Resource-server throughput with autocannon: authorized `tools/call` at 16
 * connections against the real demo-rs (JWT checked on every request), the
 * same load against the bench-only build without the JWT gate
 * (bench-rs-unauthenticated.ts), and against a naive RS on the same SDK
 * packages (bench-rs-naive-peer.ts). The three take turns window by window,
 * in a rotating order, so each ratio compares runs made under the same
 * machine conditions.
 *
 * Throughput on a shared 2-core machine moves with whatever else runs, so
 * each server's own CPU time per call is measured too (from /proc): those
 * ratios describe the servers' work, whoever else is busy.
 */
import autocannon from 'autocannon';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { authorizationCodeFlow, register } from './bench-oauth.ts';
import { keepAliveAgent, median, processCpuMs } from './bench-support.ts';

export const RS_CONCURRENCY = 16;
/** Four servers start at once; on a machine shared with other jobs that can take longer than a test would wait. */
const READY = { readyTimeoutMs: 60_000 };

export interface RsResult {
    rsCallsPerSec: number;
    rsUnauthenticatedCallsPerSec: number;
    rsPeerCallsPerSec: number;
    rsAuthRatio: number;
    /** demo-rs calls/s over the naive peer's, per window pair. */
    rsPeerRatio: number;
    /** Server CPU per call without the JWT gate / with it: rsAuthRatio measured in CPU time instead of wall time. */
    rsAuthCpuRatio: number;
    /** The peer's CPU per call / demo-rs's: rsPeerRatio in CPU time. */
    rsPeerCpuRatio: number;
    rsCpuPerCallMs: number;
    rsUnauthenticatedCpuPerCallMs: number;
    rsPeerCpuPerCallMs: number;
    rsP50Ms: number;
    rsP99Ms: number;
    rsUnauthenticatedP50Ms: number;
    rsUnauthenticatedP99Ms: number;
    rsPeerP50Ms: number;
    rsPeerP99Ms: number;
}

interface Window {
    perSecond: number;
    p50Ms: number;
    p99Ms: number;
    cpuPerCallMs: number;
}

/** A 2025-11-25 (stateless) `tools/call list-files`, the call every client of the demo makes first; all three get the same bytes. */
function listFilesCall(token: string) {
    return {
        method: 'POST' as const,
        headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2025-11-25',
            authorization: `Bearer ${token}`
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } })
    };
}

/** One autocannon window against `server`; any error, non-2xx or wrong answer fails the benchmark. */
async function window(server: RunningServer, token: string, durationMs: number): Promise<Window> {
    const pid = server.child.pid as number;
    const cpuBefore = await processCpuMs(pid);
    const result = await autocannon({
        url: `${server.origin}/mcp`,
        ...listFilesCall(token),
        connections: RS_CONCURRENCY,
        duration: durationMs / 1000,
        verifyBody: (body) => String(body).includes('notes.txt')
    });
    const cpuMs = (await processCpuMs(pid)) - cpuBefore;
    const failed = result.errors + result.timeouts + result.non2xx + result.mismatches;
    if (failed > 0) throw new Error(`${server.origin}: ${failed} of ${result.requests.total} calls failed (errors ${result.errors}, non-2xx ${result.non2xx}, wrong body ${result.mismatches})`);
    return { perSecond: result.requests.total / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99, cpuPerCallMs: cpuMs / result.requests.total };
}

export async function measureRs(rounds: number, durationMs: number): Promise<RsResult> {
    const started: RunningServer[] = [];
    try {
        const as = await startServer('demo-as/main.ts', ['--port', '0'], READY);
        started.push(as);
        const outcomes = await Promise.allSettled([
            startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin], READY),
            startServer('scripts/bench-rs-unauthenticated.ts', ['--port', '0'], READY),
            startServer('scripts/bench-rs-naive-peer.ts', ['--port', '0', '--issuer', as.origin], READY)
        ]);
        // Whatever did start is stopped below, also when another server failed to.
        for (const outcome of outcomes) if (outcome.status === 'fulfilled') started.push(outcome.value);
        const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        if (failed) throw failed.reason;
        const servers = started.slice(1);
        // Each RS checks the token's audience, so each gets its own token (same client, same scope).
        const tokens = await Promise.all(
            servers.map(async (server) => {
                const agent = keepAliveAgent(1);
                try {
                    const client = await register(agent, as.origin);
                    return (await authorizationCodeFlow(agent, as.origin, client, `${server.origin}/mcp`, 'files:read')).access_token;
                } finally {
                    agent.destroy();
                }
            })
        );
        // Every server reaches steady state (JIT, key sets) before anything counts.
        for (const [index, server] of servers.entries()) await window(server, tokens[index], durationMs);
        const windows: Window[][] = [[], [], []];
        for (let round = 0; round < rounds; round++) {
            for (let turn = 0; turn < servers.length; turn++) {
                const index = (round + turn) % servers.length;
                windows[index].push(await window(servers[index], tokens[index], durationMs));
            }
        }
        const [rs, bare, peer] = windows;
        const series = (list: Window[], field: keyof Window) => median(list.map((entry) => entry[field]));
        const ratio = (a: Window[], b: Window[], field: keyof Window) => median(a.map((entry, at) => entry[field] / b[at][field]));
        return {
            rsCallsPerSec: series(rs, 'perSecond'),
            rsUnauthenticatedCallsPerSec: series(bare, 'perSecond'),
            rsPeerCallsPerSec: series(peer, 'perSecond'),
            rsAuthRatio: ratio(rs, bare, 'perSecond'),
            rsPeerRatio: ratio(rs, peer, 'perSecond'),
            rsAuthCpuRatio: ratio(bare, rs, 'cpuPerCallMs'),
            rsPeerCpuRatio: ratio(peer, rs, 'cpuPerCallMs'),
            rsCpuPerCallMs: series(rs, 'cpuPerCallMs'),
            rsUnauthenticatedCpuPerCallMs: series(bare, 'cpuPerCallMs'),
            rsPeerCpuPerCallMs: series(peer, 'cpuPerCallMs'),
            rsP50Ms: series(rs, 'p50Ms'),
            rsP99Ms: series(rs, 'p99Ms'),
            rsUnauthenticatedP50Ms: series(bare, 'p50Ms'),
            rsUnauthenticatedP99Ms: series(bare, 'p99Ms'),
            rsPeerP50Ms: series(peer, 'p50Ms'),
            rsPeerP99Ms: series(peer, 'p99Ms')
        };
    } finally {
        await Promise.all(started.map((server) => server.stop()));
    }
}
