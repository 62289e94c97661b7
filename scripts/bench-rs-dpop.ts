/**
 * What DPoP costs the resource server: `tools/call list-files` at 16 in
 * flight with a DPoP-bound token (a fresh proof per request, checked in full:
 * signature, htm, htu, iat, jti, ath, cnf.jkt), with a Bearer token, and
 * against the bench-only build without the JWT gate, alternating round by
 * round as scripts/bench-rs.ts does.
 *
 *   npx tsx scripts/bench-rs-dpop.ts [--rounds <n>] [--seconds <s>]
 *
 * Proofs are signed by the SDK's DpopSession before each round, so the load
 * generator's signing does not compete with the server for the two cores
 * while it is measured. Both ratios are printed: throughput with the gate /
 * without it, and server CPU per call without / with it (the steadier one on
 * a shared machine).
 */
import { DpopSession } from '@modelcontextprotocol/client';
import { parseCommandLine, parseCount } from '../support/args.ts';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { authorizationCodeFlow, register } from './bench-oauth.ts';
import { closedLoop, http, keepAliveAgent, median, processCpuMs, round, type HttpCall } from './bench-support.ts';

const PROGRAM = 'bench-rs-dpop';
const CONCURRENCY = 16;
/** More proofs than a round can use at the rates a 2-core machine reaches. */
const PROOFS_PER_SECOND = 4000;

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } });

function call(url: string, authorization: string, dpop?: string): HttpCall {
    const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        authorization
    };
    if (dpop) headers.dpop = dpop;
    return { method: 'POST', url, headers, body: BODY };
}

/** Requests for one round: a fixed one, or one per fresh proof. */
type CallSource = () => HttpCall;

async function measure(server: RunningServer, next: CallSource, durationMs: number): Promise<{ perSecond: number; cpuPerCallMs: number }> {
    const agent = keepAliveAgent(CONCURRENCY);
    const pid = server.child.pid as number;
    const cpuBefore = await processCpuMs(pid);
    try {
        const result = await closedLoop(
            async () => {
                const answer = await http(agent, next());
                if (answer.status !== 200) throw new Error(`tools/call answered HTTP ${answer.status}`);
            },
            { concurrency: CONCURRENCY, durationMs, warmupMs: 100 }
        );
        return { perSecond: result.perSecond, cpuPerCallMs: ((await processCpuMs(pid)) - cpuBefore) / result.operations };
    } finally {
        agent.destroy();
    }
}

async function main(): Promise<void> {
    const { values } = parseCommandLine(PROGRAM, { rounds: { type: 'string' }, seconds: { type: 'string' } });
    const rounds = parseCount(PROGRAM, '--rounds', values.rounds, 4, 1);
    const durationMs = parseCount(PROGRAM, '--seconds', values.seconds, 3, 1) * 1000;
    const started: RunningServer[] = [];
    try {
        const as = await startServer('demo-as/main.ts', ['--port', '0']);
        started.push(as);
        const [rs, bare] = await Promise.all([
            startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin]),
            startServer('scripts/bench-rs-unauthenticated.ts', ['--port', '0'])
        ]);
        started.push(rs, bare);
        const mcp = `${rs.origin}/mcp`;
        const session = await DpopSession.create();
        const agent = keepAliveAgent(1);
        const dpopTokens = await authorizationCodeFlow(agent, as.origin, await register(agent, as.origin), mcp, 'files:read', {
            dpop: await session.buildProof({ htm: 'POST', htu: `${as.origin}/token` })
        });
        const bearerTokens = await authorizationCodeFlow(agent, as.origin, await register(agent, as.origin), mcp, 'files:read');
        agent.destroy();
        if ((dpopTokens as { token_type?: string }).token_type !== 'DPoP') throw new Error('expected a DPoP-bound token from the AS');

        const proofs = async () => {
            const pool = await Promise.all(Array.from({ length: (PROOFS_PER_SECOND * durationMs) / 1000 }, () => session.buildProof({ htm: 'POST', htu: mcp, accessToken: dpopTokens.access_token })));
            let index = 0;
            return () => {
                if (index >= pool.length) throw new Error('ran out of pre-signed proofs; raise PROOFS_PER_SECOND');
                return call(mcp, `DPoP ${dpopTokens.access_token}`, pool[index++]);
            };
        };
        const bearer = call(mcp, `Bearer ${bearerTokens.access_token}`);
        const bypassed = call(`${bare.origin}/mcp`, `Bearer ${bearerTokens.access_token}`);

        await measure(rs, await proofs(), durationMs);
        await measure(rs, () => bearer, durationMs);
        await measure(bare, () => bypassed, durationMs);
        const ratios = { dpop: [] as number[], bearer: [] as number[], dpopCpu: [] as number[], bearerCpu: [] as number[], rates: [] as number[][] };
        for (let index = 0; index < rounds; index++) {
            const dpopSource = await proofs();
            const base = await measure(bare, () => bypassed, durationMs);
            const dpop = await measure(rs, dpopSource, durationMs);
            const plain = await measure(rs, () => bearer, durationMs);
            ratios.dpop.push(dpop.perSecond / base.perSecond);
            ratios.bearer.push(plain.perSecond / base.perSecond);
            ratios.dpopCpu.push(base.cpuPerCallMs / dpop.cpuPerCallMs);
            ratios.bearerCpu.push(base.cpuPerCallMs / plain.cpuPerCallMs);
            ratios.rates.push([base.perSecond, dpop.perSecond, plain.perSecond]);
        }
        const result = {
            rsUnauthenticatedCallsPerSec: round(median(ratios.rates.map((r) => r[0]))),
            rsDpopCallsPerSec: round(median(ratios.rates.map((r) => r[1]))),
            rsBearerCallsPerSec: round(median(ratios.rates.map((r) => r[2]))),
            rsDpopAuthRatio: round(median(ratios.dpop)),
            rsAuthRatio: round(median(ratios.bearer)),
            rsDpopAuthCpuRatio: round(median(ratios.dpopCpu)),
            rsAuthCpuRatio: round(median(ratios.bearerCpu))
        };
        process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
        await Promise.all(started.map((server) => server.stop()));
    }
}

main().catch((error: unknown) => {
    process.stderr.write(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
