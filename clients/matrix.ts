/**
 * npm run clients — the compatibility matrix: each client library (one
 * adapter file in clients/adapters/) is driven through the scoped-tools
 * story against demo-as + demo-rs, and every cell of docs/clients.md's table
 * is derived from what the wire showed (cells.ts).
 *
 *   npm run clients                          every adapter; rewrites the table in docs/clients.md
 *   npm run clients -- --client <id>         one of ours (clients/adapters/<id>.ts); prints its row only
 *   npm run clients -- --adapter <file.ts>   your own adapter; prints its row only
 *   add --evidence to print each run's evidence as JSON lines on stderr
 *
 * Client libraries are installed pinned into work folders outside the
 * repository (work-folder.ts), never into the project.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AdapterTagError, parseAdapterTags, type AdapterTags } from './adapter-tags.ts';
import type { RunEvidence } from './evidence.ts';
import { runScenario } from './run-adapter.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { prepareWorkFolder } from './work-folder.ts';

const PROGRAM = 'clients';
const ADAPTERS = join(dirname(fileURLToPath(import.meta.url)), 'adapters');

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
        const run = await runScenario(work, scenario);
        runs.set(scenario.id, run);
        process.stderr.write(`${adapter.tags.id}: ${scenario.id} ${run.steps.map((step) => `${step.step}${step.ok === undefined ? '' : step.ok ? ' ✓' : ' ✗'}`).join(', ')} (${run.end})\n`);
        if (showEvidence) process.stderr.write(`${JSON.stringify({ client: adapter.tags.id, ...run })}\n`);
        return run;
    };
    await runOne(SCENARIOS.story);
    return runs;
}

async function main(): Promise<void> {
    const options = readCommandLine();
    const adapters = options.adapter ? [loadAdapter(resolve(options.adapter))] : ourAdapters().filter((adapter) => !options.client || adapter.tags.id === options.client);
    if (adapters.length === 0) fail(`no adapter clients/adapters/${options.client}.ts`);
    for (const adapter of adapters) {
        await runClient(adapter, options.evidence ?? false);
    }
}

await main().catch((error: unknown) => fail(error instanceof Error ? error.message.split('\n')[0]! : String(error)));
