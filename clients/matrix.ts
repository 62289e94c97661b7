/**
 * npm run clients — the compatibility matrix: each client library (one
 * adapter file in clients/adapters/) is driven through the scoped-tools
 * story against demo-as + demo-rs, and every cell of docs/clients.md's table
 * is derived from what the wire showed (cells.ts).
 *
 *   npm run clients                          every adapter; rewrites the table in docs/clients.md
 *   npm run clients -- --client <id>         one of ours (clients/adapters/<id>.ts); prints its row only
 *   npm run clients -- --adapter <file.ts>   your own adapter; prints its row only
 *   --evidence                               also print each run's evidence as JSON lines on stderr
 *   --jobs <n>                               clients run at a time (default 2)
 *
 * Client libraries are installed pinned into work folders outside the
 * repository (work-folder.ts), never into the project.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AdapterTagError, parseAdapterTags, type AdapterTags } from './adapter-tags.ts';
import { COLUMNS, deriveRow, renderLegend } from './cells.ts';
import type { RunEvidence } from './evidence.ts';
import { runScenario } from './run-adapter.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { renderTable, replaceGeneratedPart } from './table.ts';
import { prepareWorkFolder } from './work-folder.ts';

const PROGRAM = 'clients';
const HERE = dirname(fileURLToPath(import.meta.url));
const ADAPTERS = join(HERE, 'adapters');
const DOC = join(HERE, '..', 'docs', 'clients.md');

function fail(message: string): never {
    process.stderr.write(`${PROGRAM}: ${message}\n`);
    process.exit(1);
}

function readCommandLine() {
    try {
        return parseArgs({ options: { client: { type: 'string' }, adapter: { type: 'string' }, evidence: { type: 'boolean' }, jobs: { type: 'string' } }, strict: true }).values;
    } catch (error) {
        fail(error instanceof Error ? error.message.split('\n')[0]! : 'invalid arguments');
    }
}

interface Adapter {
    path: string;
    tags: AdapterTags;
}

function loadAdapter(path: string): Adapter {
    let source: string;
    try {
        source = readFileSync(path, 'utf8');
    } catch {
        fail(`cannot read the adapter ${path}`);
    }
    try {
        return { path, tags: parseAdapterTags(path, source) };
    } catch (error) {
        if (error instanceof AdapterTagError) fail(`${path}: ${error.message}`);
        throw error;
    }
}

function ourAdapters(): Adapter[] {
    return readdirSync(ADAPTERS).filter((name) => name.endsWith('.ts')).sort().map((name) => loadAdapter(join(ADAPTERS, name)));
}

/** The runs one client goes through; the story again with --loopback-any-port if the AS refused its redirect URI. */
async function runClient(adapter: Adapter, showEvidence: boolean): Promise<Map<string, RunEvidence>> {
    const work = await prepareWorkFolder(adapter.path, adapter.tags);
    const runs = new Map<string, RunEvidence>();
    const runOne = async (scenario: Scenario) => {
        const began = Date.now();
        const run = await runScenario(work, scenario);
        runs.set(scenario.id, run);
        const steps = run.steps.map((step) => `${step.step}${step.ok === undefined ? '' : step.ok ? ' ✓' : ' ✗'}`).join(', ');
        process.stderr.write(`${adapter.tags.id}: ${scenario.id}: ${steps || 'no step'} (${run.end}, ${((Date.now() - began) / 1000).toFixed(1)} s)\n`);
        if (showEvidence) process.stderr.write(`${JSON.stringify({ client: adapter.tags.id, ...run })}\n`);
        return run;
    };
    const story = await runOne(SCENARIOS.story);
    if (story.steps.some((step) => step.as.some((line) => line.includes('error=invalid_redirect_uri')))) await runOne(SCENARIOS.storyAnyPort);
    for (const scenario of [SCENARIOS.issRewritten, SCENARIOS.issRemoved, SCENARIOS.asRestart, SCENARIOS.initialScope, SCENARIOS.heldAndRequired, SCENARIOS.dpop]) {
        await runOne(scenario);
    }
    return runs;
}

/** The table's pins cell: the packages, and the Node when it is not the machine's. */
function pinsOf(tags: AdapterTags): string {
    return [...tags.packages, ...(tags.node ? [`on ${tags.node}`] : [])].map((pin) => (pin.startsWith('on ') ? pin : `\`${pin}\``)).join(' ');
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

function renderMatrix(adapters: Adapter[], rows: string[][]): string {
    const header = ['Client', 'Pinned', ...COLUMNS.map((column) => column.heading)];
    return renderTable({ header, rows: adapters.map((adapter, index) => [adapter.tags.client, pinsOf(adapter.tags), ...rows[index]!]) });
}

async function main(): Promise<void> {
    const options = readCommandLine();
    const jobs = Number(options.jobs ?? 2);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) fail('--jobs must be a whole number from 1 to 8');
    const all = !options.adapter && !options.client;
    const adapters = options.adapter ? [loadAdapter(resolve(options.adapter))] : ourAdapters().filter((adapter) => all || adapter.tags.id === options.client);
    if (adapters.length === 0) fail(`no adapter clients/adapters/${options.client}.ts`);
    const started = Date.now();
    const rows = await inPool(adapters, jobs, async (adapter) => deriveRow(await runClient(adapter, options.evidence ?? false)));
    const table = renderMatrix(adapters, rows);
    process.stderr.write(`${PROGRAM}: ${adapters.length} client(s) in ${Math.round((Date.now() - started) / 1000)} s\n`);
    if (!all) {
        process.stdout.write(`${table}\n`);
        return;
    }
    const doc = readFileSync(DOC, 'utf8');
    writeFileSync(DOC, replaceGeneratedPart(doc, `${table}\n\n${renderLegend()}`));
    process.stdout.write(`${PROGRAM}: wrote the table in docs/clients.md\n`);
}

await main().catch((error: unknown) => fail(error instanceof Error ? error.message.split('\n')[0]! : String(error)));
