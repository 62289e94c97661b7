/**
 * npm run clients — the compatibility matrix: each client library (one
 * adapter file in clients/adapters/) is driven through the scoped-tools
 * story against demo-as + demo-rs, and every cell of docs/clients.md's table
 * is derived from what the wire showed (cells.ts).
 *
 *   npm run clients                          every adapter; rewrites the table in docs/clients.md
 *   npm run clients -- --client <id>         one of ours (clients/adapters/<id>.ts; repeatable); prints its row only
 *   npm run clients -- --adapter <file.ts>   your own adapter (repeatable); prints its row only
 *   --evidence                               also print each run's evidence as JSON lines on stderr
 *   --jobs <n>                               clients run at a time (default 2)
 *
 * Client libraries are installed pinned into work folders outside the
 * repository (work-folder.ts), never into the project.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLineOrHelp } from '../support/usage.ts';
import { AdapterTagError, ourAdapters, readAdapter, type Adapter } from './adapter-tags.ts';
import { deriveRow } from './cells.ts';
import { CLIENTS } from './command-line.ts';
import type { RunEvidence } from './evidence.ts';
import { runScenario } from './run-adapter.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { startServers, type Servers } from './servers.ts';
import { renderGeneratedPart, renderMatrix, replaceGeneratedPart } from './table.ts';
import { copyAdapter, prepareWorkFolder } from './work-folder.ts';

const PROGRAM = CLIENTS.program;
const DOC = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'clients.md');

function fail(message: string): never {
    process.stderr.write(`${PROGRAM}: ${message}\n`);
    process.exit(1);
}

/** One line per run on stderr (and with --evidence, the run's evidence): progress, never part of the table. */
function reportRun(id: string, run: RunEvidence, seconds: number, showEvidence: boolean): void {
    const steps = run.steps.map((step) => `${step.step}${step.ok === undefined ? '' : step.ok ? ' ✓' : ' ✗'}`).join(', ');
    process.stderr.write(`${id}: ${run.scenario}: ${steps} (${run.end}, ${seconds.toFixed(1)} s)\n`);
    if (showEvidence) process.stderr.write(`${JSON.stringify({ client: id, ...run })}\n`);
}

/**
 * The runs one client goes through, in order; the story again with --loopback-any-port if the AS refused its
 * redirect URI. Runs with the same server flags share one demo-as + demo-rs (starting them is most of a run's
 * time); the AS-restart run always has its own.
 */
async function runClient(adapter: Adapter, showEvidence: boolean): Promise<Map<string, RunEvidence>> {
    const work = await prepareWorkFolder(adapter.tags);
    const copy = copyAdapter(work, adapter.path, adapter.tags);
    const shared = new Map<string, Servers>();
    const serversFor = async (scenario: Scenario): Promise<Servers | undefined> => {
        if (scenario.restartAsAtPause) return undefined;
        const key = JSON.stringify([scenario.asArgs, scenario.rsArgs]);
        if (!shared.has(key)) shared.set(key, await startServers({ asArgs: scenario.asArgs, rsArgs: scenario.rsArgs }));
        return shared.get(key);
    };
    const runs = new Map<string, RunEvidence>();
    const runOne = async (scenario: Scenario) => {
        const began = Date.now();
        const run = await runScenario({ node: work.node, cwd: copy.dir, entry: copy.entry }, scenario, await serversFor(scenario));
        // An adapter that reports no step at all did not run (an import that failed, a crash): that is the
        // adapter's fault, not a cell, so the matrix stops here and says why.
        if (run.steps.length === 0) throw new Error(`${adapter.tags.id}: ${scenario.id}: the adapter reported no step (${run.end}): ${run.stderrTail.join(' | ') || 'no output'}`);
        reportRun(adapter.tags.id, run, (Date.now() - began) / 1000, showEvidence);
        runs.set(scenario.id, run);
        return run;
    };
    try {
        const story = await runOne(SCENARIOS.story);
        if (story.steps.some((step) => step.as.some((line) => line.includes('error=invalid_redirect_uri')))) await runOne(SCENARIOS.storyAnyPort);
        for (const scenario of [SCENARIOS.issRewritten, SCENARIOS.issRemoved, SCENARIOS.asRestart, SCENARIOS.initialScope, SCENARIOS.heldAndRequired, SCENARIOS.dpop]) {
            await runOne(scenario);
        }
        return runs;
    } finally {
        await Promise.all([...shared.values()].map((servers) => servers.stop()));
        copy.remove();
    }
}

/** Runs `work` over `items` with at most `jobs` at a time, keeping the items' order in the results. */
async function inPool<T, R>(items: T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]!);
        }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
    return results;
}

async function main(): Promise<void> {
    const options = parseCommandLineOrHelp(CLIENTS).values;
    const jobs = Number(options.jobs ?? 2);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) fail('--jobs must be a whole number from 1 to 8');
    const all = !options.adapter && !options.client;
    const adapters = options.adapter ? options.adapter.map((path) => readAdapter(resolve(path))) : ourAdapters().filter((adapter) => all || options.client?.includes(adapter.tags.id));
    const missing = (options.client ?? []).filter((id) => !adapters.some((adapter) => adapter.tags.id === id));
    if (missing.length > 0) fail(`no adapter clients/adapters/${missing[0]}.ts (see --help)`);
    const started = Date.now();
    const rows = await inPool(adapters, jobs, async (adapter) => deriveRow(await runClient(adapter, options.evidence ?? false)));
    const table = renderMatrix(adapters.map((adapter, index) => ({ tags: adapter.tags, cells: rows[index]! })));
    process.stderr.write(`${PROGRAM}: ${adapters.length} client(s) in ${Math.round((Date.now() - started) / 1000)} s\n`);
    if (!all) {
        process.stdout.write(`${table}\n`);
        return;
    }
    const doc = readFileSync(DOC, 'utf8');
    writeFileSync(DOC, replaceGeneratedPart(doc, renderGeneratedPart(table)));
    process.stdout.write(`${PROGRAM}: wrote the table in docs/clients.md\n`);
}

await main().catch((error: unknown) => {
    if (error instanceof AdapterTagError) fail(error.message);
    fail(error instanceof Error ? error.message.split('\n')[0]! : String(error));
});
