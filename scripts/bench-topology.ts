/**
 * The production topology's throughput (scripts/topology/start.ts): DPoP-bound
 * `tools/call`s, each with a fresh proof, so every call is one write to the
 * replay store. Four targets take turns window by window:
 *
 * - through nginx (TLS) to one demo-rs instance, and through another nginx to
 *   two instances, each topology with its own Redis: calls/s with one and
 *   with two instances;
 * - straight to the one-instance topology's demo-rs (`--replay-store`), and
 *   straight to the same instance started without it (the replay memory in
 *   its own process): what the shared store costs per call.
 *
 * The store's cost is measured straight at the instances, not through the
 * proxy: nginx's TLS and proxying are the same work on both sides and share
 * the two cores with the instance, so through the proxy they would dilute the
 * difference that decides how far one Redis goes. The serving processes' CPU
 * time says what each part costs per call: nginx and the instance from /proc,
 * Redis from its own `INFO cpu` (microseconds, where /proc counts 10 ms
 * ticks: too coarse for a few microseconds a call).
 *
 * Runnable alone: `npx tsx scripts/bench-topology.ts [--rounds <n>] [--duration <ms>]`
 * prints one JSON object. Needs nginx, redis-server and openssl on the PATH.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { resolve } from 'node:path';
import { DpopSession } from '@modelcontextprotocol/client';
import { createClient } from 'redis';
import { parseCount } from '../support/args.ts';
import { parseCommandLineOrHelp } from '../support/usage.ts';
import { BENCH_TOPOLOGY } from './command-lines.ts';
import { PROJECT_ROOT, startServer, type RunningServer } from '../support/spawn.ts';
import { dpopLoad, processClock, ratio, series, takeTurns, tokenFor, type CpuClock, type Target, type Window } from './bench-rs.ts';
import { median, processCpuMs } from './bench-support.ts';
import { rsArguments, startTopology, type Topology } from './topology/start.ts';

export interface TopologyResult {
    /** DPoP calls/s through nginx to one instance, and to two; each topology has its own Redis. */
    proxyOneCallsPerSec: number;
    proxyTwoCallsPerSec: number;
    /** Two instances over one, per round. */
    proxyTwoToOneRatio: number;
    proxyOneP50Ms: number;
    proxyOneP99Ms: number;
    proxyTwoP50Ms: number;
    proxyTwoP99Ms: number;
    /** CPU per call through the proxy to one instance: nginx (TLS and proxying), the instance, Redis. */
    proxyNginxCpuUsPerCall: number;
    proxyRsCpuUsPerCall: number;
    proxyRedisCpuUsPerCall: number;
    /** DPoP calls/s straight to one instance with `--replay-store`, and to the same without it. */
    storeCallsPerSec: number;
    noStoreCallsPerSec: number;
    /** With the store over without, per round: what the round trip to Redis costs the instance's throughput. */
    replayStoreCostRatio: number;
    /** The instance's own CPU per call with the store minus without, median of per-round differences. */
    replayStoreRsCpuUsPerCall: number;
    /** Redis's CPU per call (one SET NX EX each), over every straight-to-the-instance window together. */
    redisCpuUsPerCall: number;
}

/** Two topologies and one more instance start at once; on a shared machine that can take a while. */
const READY = { readyTimeoutMs: 60_000 };

/**
 * One https request to the public URL's metadata, trusting only the test CA: the certificate chain and name are
 * checked here once, because autocannon connects with certificate checks off whatever it is given
 * (`rejectUnauthorized: false` in its lib/httpClient.js).
 */
function checkCertificate(topology: Topology): Promise<void> {
    const url = new URL('/.well-known/oauth-protected-resource/mcp', topology.publicUrl);
    return new Promise((resolveCheck, rejectCheck) => {
        const outgoing = request(url, { ca: readFileSync(topology.caFile) }, (response) => {
            response.resume();
            if (response.statusCode === 200) resolveCheck();
            else rejectCheck(new Error(`${url.href} answered ${response.statusCode}`));
        });
        outgoing.on('error', rejectCheck);
        outgoing.end();
    });
}

/** nginx's worker, which does the TLS and proxying (the master only supervises it), from /proc (Linux). */
async function nginxWorkerPid(topology: Topology): Promise<number> {
    const master = topology.nginx.child.pid as number;
    const children = (await readFile(`/proc/${master}/task/${master}/children`, 'utf8')).trim().split(/\s+/).map(Number);
    if (children.length !== 1 || !Number.isInteger(children[0])) throw new Error(`expected one nginx worker under ${master}, found "${children.join(' ')}"`);
    return children[0];
}

/** Redis's CPU time so far (user + system, ms), as Redis itself reports it (INFO cpu, from getrusage). */
async function redisClock(topology: Topology): Promise<{ clock: CpuClock; close: () => Promise<unknown> }> {
    const client = createClient({ url: topology.redis.url });
    await client.connect();
    const clock = async () => {
        const info = await client.info('cpu');
        const seconds = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1]);
        return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
    };
    return { clock, close: () => client.close() };
}

/** The clocks of what serves a call through the proxy: nginx's worker, every instance, Redis. */
async function throughProxy(topology: Topology, redis: CpuClock, token: string, session: DpopSession, durationMs: number): Promise<Target> {
    const worker = await nginxWorkerPid(topology);
    return {
        url: topology.publicUrl,
        cpuClocks: [() => processCpuMs(worker), ...topology.rs.map(processClock), redis],
        load: dpopLoad(topology.publicUrl, token, session, durationMs)
    };
}

/** Straight to `instance`'s loopback listener, as nginx sends it: the public URL's Host, proofs for the public URL. */
function straightTo(instance: RunningServer, topology: Topology, token: string, session: DpopSession, durationMs: number, alsoClocks: CpuClock[] = []): Target {
    return {
        url: `${instance.origin}/mcp`,
        cpuClocks: [processClock(instance), ...alsoClocks],
        load: dpopLoad(topology.publicUrl, token, session, durationMs, { host: new URL(topology.publicUrl).host })
    };
}

/** CPU µs per call of the clock at `index` of a target's clocks, over all its windows together. */
function cpuUsPerCall(windows: Window[], index: number): number {
    const cpuMs = windows.reduce((sum, entry) => sum + entry.cpuMsEach[index], 0);
    const calls = windows.reduce((sum, entry) => sum + entry.calls, 0);
    return (cpuMs * 1000) / calls;
}

export async function measureTopology(rounds: number, durationMs: number): Promise<TopologyResult> {
    const started: { stop(): Promise<unknown> }[] = [];
    try {
        const one = await startTopology({ instances: 1 });
        started.push(one);
        const two = await startTopology({ instances: 2 });
        started.push(two);
        // The one-instance topology's instance once more, the same command line but for --replay-store.
        const noStore = await startServer('demo-rs/main.ts', rsArguments(one.as.origin, one.publicUrl), READY);
        started.push(noStore);
        await Promise.all([checkCertificate(one), checkCertificate(two)]);

        const [redisOne, redisTwo] = await Promise.all([redisClock(one), redisClock(two)]);
        started.push({ stop: redisOne.close }, { stop: redisTwo.close });

        const session = await DpopSession.create();
        const [tokenOne, tokenTwo] = await Promise.all([tokenFor(one.as.origin, one.publicUrl, session), tokenFor(two.as.origin, two.publicUrl, session)]);
        const targets = [
            await throughProxy(one, redisOne.clock, tokenOne, session, durationMs),
            await throughProxy(two, redisTwo.clock, tokenTwo, session, durationMs),
            straightTo(one.rs[0], one, tokenOne, session, durationMs, [redisOne.clock]),
            straightTo(noStore, one, tokenOne, session, durationMs)
        ];
        const [proxyOne, proxyTwo, store, withoutStore] = await takeTurns(targets, rounds, durationMs);
        return {
            proxyOneCallsPerSec: series(proxyOne, 'perSecond'),
            proxyTwoCallsPerSec: series(proxyTwo, 'perSecond'),
            proxyTwoToOneRatio: ratio(proxyTwo, proxyOne, 'perSecond'),
            proxyOneP50Ms: series(proxyOne, 'p50Ms'),
            proxyOneP99Ms: series(proxyOne, 'p99Ms'),
            proxyTwoP50Ms: series(proxyTwo, 'p50Ms'),
            proxyTwoP99Ms: series(proxyTwo, 'p99Ms'),
            // A proxy target's clocks: nginx's worker, the instance, Redis.
            proxyNginxCpuUsPerCall: cpuUsPerCall(proxyOne, 0),
            proxyRsCpuUsPerCall: cpuUsPerCall(proxyOne, 1),
            proxyRedisCpuUsPerCall: cpuUsPerCall(proxyOne, 2),
            storeCallsPerSec: series(store, 'perSecond'),
            noStoreCallsPerSec: series(withoutStore, 'perSecond'),
            replayStoreCostRatio: ratio(store, withoutStore, 'perSecond'),
            replayStoreRsCpuUsPerCall: median(store.map((entry, at) => (entry.cpuMsEach[0] / entry.calls - withoutStore[at].cpuPerCallMs) * 1000)),
            redisCpuUsPerCall: cpuUsPerCall(store, 1)
        };
    } finally {
        for (const server of started.reverse()) await server.stop();
    }
}

async function main(): Promise<number> {
    const program = BENCH_TOPOLOGY.program;
    const { values } = parseCommandLineOrHelp(BENCH_TOPOLOGY);
    const rounds = parseCount(program, '--rounds', values.rounds, 5, 1);
    const durationMs = parseCount(program, '--duration', values.duration, 1000, 200);
    try {
        process.stdout.write(`${JSON.stringify(await measureTopology(rounds, durationMs))}\n`);
        return 0;
    } catch (error) {
        process.stderr.write(`${program}: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(PROJECT_ROOT, 'scripts/bench-topology.ts')) process.exit(await main());
