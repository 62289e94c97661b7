/**
 * One headless client process that measures what a step-up costs
 * (docs/benchmarks.md, stepUpOverheadMs). Started by `npm run bench` against a
 * running AS and RS:
 *
 *   tsx scripts/bench-step-up.ts --server <RS /mcp url> --runs <n> [--protocol <era>]
 *
 * Each run opens a fresh session of the demo client (fresh token store, so a
 * fresh registration) and lists the tools, which logs in with files:read.
 * Then it times `write-file`, which meets 403 insufficient_scope and steps up
 * (consent, token, a new connection, the retry); lists the tools again; and
 * times `write-file` once more, now with a token that holds files:write. Both
 * timed calls start from the same state — a connection that has just listed
 * the tools — so the difference is what the step-up adds. `--protocol` is the
 * demo client's own flag: on 2026-07-28 the retry's connection adopts the
 * previous one's discover result instead of a handshake. Prints one JSON
 * object with both series, in ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, parseCount, parseHttpUrl } from '../support/args.ts';
import { parseProtocol } from '../demo-client/options.ts';
import { Session } from '../demo-client/session.ts';
import { TokenStore } from '../demo-client/token-store.ts';

const PROGRAM = 'bench-step-up';
/** Unmeasured runs first, so the figures describe a warm process (JIT, connections, lazy imports). */
const WARMUP_RUNS = 3;

const { values } = parseCommandLine(PROGRAM, { server: { type: 'string' }, runs: { type: 'string' }, protocol: { type: 'string' } });
const server = parseHttpUrl(PROGRAM, '--server', values.server);
const runs = parseCount(PROGRAM, '--runs', values.runs, 20, 1);
const versionNegotiation = parseProtocol(values.protocol, PROGRAM);
const writeArguments = { name: 'bench.txt', content: 'step-up benchmark' };

async function timed(action: () => Promise<unknown>): Promise<number> {
    const started = performance.now();
    await action();
    return performance.now() - started;
}

/** One run: login with files:read, then the stepping-up call and the plain call, in ms. */
async function measureOnce(): Promise<{ stepUpCallMs: number; plainCallMs: number }> {
    const directory = mkdtempSync(join(tmpdir(), 'bench-step-up-'));
    const fail = (line: string) => {
        throw new Error(line);
    };
    const session = await Session.open({
        server,
        store: TokenStore.open(join(directory, 'client.json'), fail),
        policy: { enabled: true, maxStepUps: 1 },
        headless: true,
        openBrowser: false,
        authTimeoutMs: 10_000,
        onEvent: () => {},
        print: () => {},
        warn: fail,
        versionNegotiation
    });
    try {
        await session.listTools();
        if (session.provider.tokens()?.scope !== 'files:read') throw new Error('the login did not end with a files:read token');
        const stepUpCallMs = await timed(() => session.callTool('write-file', writeArguments));
        if (!session.provider.tokens()?.scope?.split(' ').includes('files:write')) throw new Error('write-file succeeded without a files:write token');
        await session.listTools();
        const plainCallMs = await timed(() => session.callTool('write-file', writeArguments));
        return { stepUpCallMs, plainCallMs };
    } finally {
        await session.close();
        rmSync(directory, { recursive: true, force: true });
    }
}

const stepUpCallMs: number[] = [];
const plainCallMs: number[] = [];
for (let run = 0; run < WARMUP_RUNS + runs; run++) {
    const result = await measureOnce();
    if (run < WARMUP_RUNS) continue;
    stepUpCallMs.push(result.stepUpCallMs);
    plainCallMs.push(result.plainCallMs);
}
process.stdout.write(`${JSON.stringify({ stepUpCallMs, plainCallMs })}\n`);
