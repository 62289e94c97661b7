/**
 * Resource-server throughput with autocannon: authorized `tools/call` at 16
 * connections against the real demo-rs with a Bearer token (JWT checked on
 * every request) and with a DPoP-bound token (a fresh proof per request,
 * checked in full: signature, htm, htu, iat, jti, ath, cnf.jkt), the same
 * two loads against the bench-only build without the gate
 * (bench-rs-unauthenticated.ts), and the Bearer load against a naive RS on
 * the same SDK packages (bench-rs-naive-peer.ts). Each ratio of the gate's
 * cost compares servers that received the very same requests: a DPoP call
 * carries a 600-byte proof header more than a Bearer call, and reading it is
 * HTTP's work, which the build without the gate does too. The five take
 * turns window by window, in a rotating order, so each ratio compares runs
 * made under the same machine conditions.
 *
 * The DPoP proofs are signed by the SDK's DpopSession before each of their
 * windows, so signing does not compete with the server for the two cores
 * while it is measured; the window takes one proof per request. Signing one
 * costs the load generator about 1 ms of CPU, so a DPoP window is a number
 * of calls, not a time: as many as its target's fastest window so far served
 * in the window time (200 in the first), each with its own proof, none spare.
 *
 * Throughput on a shared 2-core machine moves with whatever else runs, so
 * each server's own CPU time per call is measured too (from /proc): those
 * ratios describe the servers' work, whoever else is busy.
 */
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import { DpopSession } from '@modelcontextprotocol/client';
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
    rsDpopCallsPerSec: number;
    /** The build without the gate, sent the same DPoP calls (token and proof), which it does not check. */
    rsDpopUnauthenticatedCallsPerSec: number;
    /** demo-rs calls/s with a DPoP-bound token and a fresh proof per call, over the build without the gate sent the same calls. */
    rsDpopAuthRatio: number;
    rsDpopAuthCpuRatio: number;
    rsDpopCpuPerCallMs: number;
    rsDpopP50Ms: number;
    rsDpopP99Ms: number;
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

export interface Window {
    perSecond: number;
    p50Ms: number;
    p99Ms: number;
    /** CPU time per call of the target's processes together. */
    cpuPerCallMs: number;
    /** Calls completed in the window, and each of the target's CPU clocks' advance over it (ms), in `cpuClocks` order. */
    calls: number;
    cpuMsEach: number[];
}

/** The fields of a window that are one number each, for medians and ratios. */
export type WindowFigure = 'perSecond' | 'p50Ms' | 'p99Ms' | 'cpuPerCallMs';

/** A 2025-11-25 (stateless) `tools/call list-files`, the call every client of the demo makes first; all of them get the same bytes (DPoP adds its proof). */
export function listFilesCall(authorization: string) {
    return {
        method: 'POST' as const,
        headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2025-11-25',
            authorization
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } })
    };
}

/** A serving process's CPU time so far, in ms. */
export type CpuClock = () => Promise<number>;

/** A process's CPU clock from /proc. */
export const processClock = (server: RunningServer): CpuClock => () => processCpuMs(server.child.pid as number);

/** What one window sends, where to, and whose CPU time counts: the same call every time, or (DPoP) each call with its own pre-signed proof. */
export interface Target {
    /** The URL autocannon calls. */
    url: string;
    /** The serving processes' CPU time so far (ms), one clock each: what the window measures per call. */
    cpuClocks: CpuClock[];
    /** The window's requests; `fastestPerSecond` is the target's best rate in its windows so far (none before the first). */
    load: (fastestPerSecond?: number) => Promise<Partial<autocannon.Options>>;
}

/**
 * Every target's requests go through autocannon's per-request `setupRequest`, which rebuilds each
 * request: the DPoP target needs it for a fresh proof per call, and the load generator, which shares
 * the two cores with the servers, then does the same work per call whatever it measures.
 */
export function perRequest(call: ReturnType<typeof listFilesCall>, extraHeaders: () => Record<string, string> = () => ({})): Partial<autocannon.Options> {
    const setupRequest = (request: AutocannonRequest) => ({ ...request, headers: { ...request.headers, ...extraHeaders() } });
    return { requests: [{ ...call, setupRequest }] };
}

const mcpUrl = (server: RunningServer) => `${server.origin}/mcp`;

function bearerTarget(server: RunningServer, token: string): Target {
    return { url: mcpUrl(server), cpuClocks: [processClock(server)], load: async () => perRequest(listFilesCall(`Bearer ${token}`)) };
}

/** The calls in a target's first DPoP window, before its pace is known. */
const FIRST_DPOP_CALLS = 200;

/**
 * DPoP-bound calls for `htu` (the URL the client calls, which the server checks), each with its own proof,
 * all signed before the window starts; `headers` go with every call (e.g. the public `Host`). The window
 * ends after exactly as many calls as there are proofs (autocannon's `amount`; its `duration` is then unused).
 */
export function dpopLoad(htu: string, token: string, session: DpopSession, durationMs: number, headers: Record<string, string> = {}): Target['load'] {
    return async (fastestPerSecond) => {
        const count = fastestPerSecond === undefined ? FIRST_DPOP_CALLS : Math.max(RS_CONCURRENCY, Math.ceil((fastestPerSecond * durationMs) / 1000));
        const proofs = await Promise.all(Array.from({ length: count }, () => session.buildProof({ htm: 'POST', htu, accessToken: token })));
        let next = 0;
        const call = listFilesCall(`DPoP ${token}`);
        const load = perRequest({ ...call, headers: { ...call.headers, ...headers } }, () => {
            // autocannon builds exactly `amount` requests; a proof used twice would be refused as a replay and fail the window.
            const dpop = proofs[next++ % count];
            return { dpop };
        });
        return { ...load, amount: count };
    };
}

function dpopTarget(server: RunningServer, token: string, session: DpopSession, durationMs: number): Target {
    return { url: mcpUrl(server), cpuClocks: [processClock(server)], load: dpopLoad(mcpUrl(server), token, session, durationMs) };
}

const readClocks = (clocks: CpuClock[]) => Promise.all(clocks.map((clock) => clock()));

/** One autocannon window against a target; any error, non-2xx or wrong answer fails the benchmark. */
export async function window(target: Target, durationMs: number, fastestPerSecond?: number): Promise<Window> {
    const load = await target.load(fastestPerSecond);
    const cpuBefore = await readClocks(target.cpuClocks);
    const result = await autocannon({
        url: target.url,
        ...load,
        connections: RS_CONCURRENCY,
        duration: durationMs / 1000,
        // autocannon ends a window at its next sample tick (every second by default): the window's time is then exact to 10 ms.
        sampleInt: 10,
        verifyBody: (body) => String(body).includes('notes.txt')
    });
    const cpuMsEach = (await readClocks(target.cpuClocks)).map((ms, index) => ms - cpuBefore[index]);
    const failed = result.errors + result.timeouts + result.non2xx + result.mismatches;
    if (failed > 0) throw new Error(`${target.url}: ${failed} of ${result.requests.total} calls failed (errors ${result.errors}, non-2xx ${result.non2xx}, wrong body ${result.mismatches})`);
    const calls = result.requests.total;
    const cpuMs = cpuMsEach.reduce((sum, ms) => sum + ms, 0);
    return { perSecond: calls / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99, cpuPerCallMs: cpuMs / calls, calls, cpuMsEach };
}

/**
 * Every target's warm-up window, then `rounds` rounds in which each target has one window, in an order that
 * rotates from round to round, so each per-round ratio compares windows made under the same machine conditions.
 */
export async function takeTurns(targets: Target[], rounds: number, durationMs: number): Promise<Window[][]> {
    // Every server reaches steady state (JIT, key sets) before anything counts; on a busy machine a cold server's
    // first window may complete no call at all.
    const fastest: number[] = [];
    for (const target of targets) fastest.push((await window(target, durationMs)).perSecond);
    const windows: Window[][] = targets.map(() => []);
    for (let round = 0; round < rounds; round++) {
        for (let turn = 0; turn < targets.length; turn++) {
            const index = (round + turn) % targets.length;
            const measured = await window(targets[index], durationMs, fastest[index] || undefined);
            if (measured.calls === 0) throw new Error(`${targets[index].url}: no call completed within ${durationMs} ms`);
            fastest[index] = Math.max(fastest[index], measured.perSecond);
            windows[index].push(measured);
        }
    }
    return windows;
}

/** The median of one figure over a target's windows. */
export const series = (list: Window[], field: WindowFigure) => median(list.map((entry) => entry[field]));

/** The median over rounds of one figure's ratio between two targets' windows of the same round. */
export const ratio = (a: Window[], b: Window[], field: WindowFigure) => median(a.map((entry, at) => entry[field] / b[at][field]));

/** A token for `resource` (each RS checks the audience), same client kind, same scope; DPoP-bound when a proof goes with the redemption. */
export async function tokenFor(issuer: string, resource: string, session?: DpopSession): Promise<string> {
    const agent = keepAliveAgent(1);
    try {
        const client = await register(agent, issuer);
        const dpop: Record<string, string> = session ? { dpop: await session.buildProof({ htm: 'POST', htu: `${issuer}/token` }) } : {};
        const tokens = await authorizationCodeFlow(agent, issuer, client, resource, 'files:read', dpop);
        if (session && (tokens as { token_type?: string }).token_type !== 'DPoP') throw new Error('expected a DPoP-bound token from demo-as');
        return tokens.access_token;
    } finally {
        agent.destroy();
    }
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
        const [rsServer, bareServer, peerServer] = started.slice(1);
        const session = await DpopSession.create();
        const targets = [
            bearerTarget(rsServer, await tokenFor(as.origin, mcpUrl(rsServer))),
            dpopTarget(rsServer, await tokenFor(as.origin, mcpUrl(rsServer), session), session, durationMs),
            bearerTarget(bareServer, await tokenFor(as.origin, mcpUrl(bareServer))),
            bearerTarget(peerServer, await tokenFor(as.origin, mcpUrl(peerServer))),
            dpopTarget(bareServer, await tokenFor(as.origin, mcpUrl(bareServer), session), session, durationMs)
        ];
        const [rs, dpop, bare, peer, bareDpop] = await takeTurns(targets, rounds, durationMs);
        return {
            rsCallsPerSec: series(rs, 'perSecond'),
            rsUnauthenticatedCallsPerSec: series(bare, 'perSecond'),
            rsPeerCallsPerSec: series(peer, 'perSecond'),
            rsAuthRatio: ratio(rs, bare, 'perSecond'),
            rsPeerRatio: ratio(rs, peer, 'perSecond'),
            rsAuthCpuRatio: ratio(bare, rs, 'cpuPerCallMs'),
            rsPeerCpuRatio: ratio(peer, rs, 'cpuPerCallMs'),
            rsDpopCallsPerSec: series(dpop, 'perSecond'),
            rsDpopUnauthenticatedCallsPerSec: series(bareDpop, 'perSecond'),
            rsDpopAuthRatio: ratio(dpop, bareDpop, 'perSecond'),
            rsDpopAuthCpuRatio: ratio(bareDpop, dpop, 'cpuPerCallMs'),
            rsDpopCpuPerCallMs: series(dpop, 'cpuPerCallMs'),
            rsDpopP50Ms: series(dpop, 'p50Ms'),
            rsDpopP99Ms: series(dpop, 'p99Ms'),
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
