/**
 * `npm run conformance`: the official MCP conformance suite against this
 * project's demo client and demo authorization server.
 *
 *   npm run conformance                       both legs, every scenario
 *   npm run conformance -- --scenario <name>  one scenario (in each set that has it)
 *
 * Client leg: every client scenario of the 2026-07-28 requirement set, and the
 * suite's auth scenarios at 2025-11-25, each run against the demo client's
 * conformance entry (demo-client/conformance.ts). Authorization-server leg:
 * the suite's two authorization scenarios against a running demo AS.
 * Scenarios run two at a time. Each result is judged against
 * conformance/expected-failures.yml; the run exits 1 on any unexpected result
 * — a failure that is not listed, or a listed one that passes now. Everything
 * the suite saved, with a summary, is in results/conformance/ (git-ignored).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../support/args.ts';
import { parseCommandLineOrHelp } from '../support/usage.ts';
import { CONFORMANCE } from './command-lines.ts';
import { colours } from '../support/output.ts';
import { PROJECT_ROOT } from '../support/spawn.ts';
import { AUTHORIZATION_SCENARIOS, runAuthorizationLeg } from '../conformance/authorization-leg.ts';
import { clientScenarios, runClientScenario } from '../conformance/client-leg.ts';
import { loadBaseline } from '../conformance/expected-failures.ts';
import { isUnexpected, summaryText, writeSummary } from '../conformance/report.ts';
import type { ScenarioResult } from '../conformance/results.ts';
import { locateSuite, SUITE_PACKAGE } from '../conformance/suite-cli.ts';

const PROGRAM = CONFORMANCE.program;
const RESULTS = join(PROJECT_ROOT, 'results', 'conformance');
const BASELINE = join(PROJECT_ROOT, 'conformance', 'expected-failures.yml');
/** The machine has two cores; each scenario runs the suite, fixture servers and a client. */
const PARALLEL = 2;

const paint = colours();

/** Runs `tasks` at most `limit` at a time, in order of start. */
async function inPool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
    const results: T[] = [];
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) results.push(await tasks[next++]!());
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}

/** One line as each scenario finishes, so a long run shows progress. */
function announce(results: ScenarioResult[]): ScenarioResult[] {
    for (const result of results) {
        const mark = result.verdict.outcome === 'passed' ? paint.green('✓') : isUnexpected(result) ? paint.red('✗') : paint.yellow('~');
        process.stdout.write(`${mark} ${result.group}  ${result.scenario}  ${paint.dim(`${result.seconds.toFixed(1)} s`)}\n`);
    }
    return results;
}

async function main(): Promise<number> {
    const { values, positionals } = parseCommandLineOrHelp(CONFORMANCE);
    if (positionals.length > 0) usageError(PROGRAM, `unexpected argument ${JSON.stringify(positionals[0]!.slice(0, 40))}; see --help`);
    const only = values.scenario;
    const started = Date.now();
    const baseline = loadBaseline(BASELINE);
    rmSync(RESULTS, { recursive: true, force: true });
    mkdirSync(RESULTS, { recursive: true });

    const cli = await locateSuite();
    const clients = (await clientScenarios(cli)).filter((scenario) => !only || scenario.name === only);
    const withAuthorization = !only || (AUTHORIZATION_SCENARIOS as readonly string[]).includes(only);
    if (clients.length === 0 && !withAuthorization) usageError(PROGRAM, `no scenario named ${only}; see: npx -p ${SUITE_PACKAGE} conformance list`);
    process.stdout.write(`${SUITE_PACKAGE} on Node ${cli.nodeVersion}: ${clients.length} client scenario runs${withAuthorization ? ' and the authorization-server leg' : ''}, ${PARALLEL} at a time\n`);

    const tasks: Array<() => Promise<ScenarioResult[]>> = [
        ...(withAuthorization ? [async () => announce(await runAuthorizationLeg(cli, RESULTS, baseline.authorization))] : []),
        ...clients.map((scenario) => async () => announce([await runClientScenario(cli, scenario, RESULTS, baseline.client)]))
    ];
    const results = (await inPool(tasks, PARALLEL)).flat();
    const order = (result: ScenarioResult) => `${result.group === 'authorization server' ? 'z' : result.group}\u0000${result.scenario}`;
    results.sort((a, b) => order(a).localeCompare(order(b)));

    const info = { suite: SUITE_PACKAGE, suiteNode: cli.nodeVersion, clientNode: process.version, seconds: (Date.now() - started) / 1000 };
    const text = summaryText(results, baseline, info);
    writeSummary(RESULTS, text, results, info);
    process.stdout.write(`\n${text}\n${paint.dim(`results: ${join('results', 'conformance')}/`)}\n`);
    return results.some(isUnexpected) ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    }
);
