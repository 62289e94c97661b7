/**
 * The client leg: the suite starts each scenario's fixture servers (some
 * misbehave on purpose) and runs the demo client's conformance entry against
 * them. Two sets are run, each at its own protocol wire:
 *
 * - every client scenario the 2026-07-28 requirement set names (scored or
 *   not), at the 2026-07-28 wire;
 * - the suite's `auth` scenarios that apply at 2025-11-25, at that wire.
 *
 * Each scenario is its own suite invocation, so two can run side by side on a
 * two-core machine (the suite's own `--suite` mode starts them all at once).
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/spawn.ts';
import { judge, type ExpectedFailure } from './expected-failures.ts';
import { findResultDir, readChecks, type ScenarioResult } from './results.ts';
import { runSuite, suiteOutput, type SuiteCli } from './suite-cli.ts';

export interface ClientScenario {
    /** `client 2026-07-28` or `client 2025-11-25`. */
    group: string;
    specVersion: string;
    name: string;
    scored: boolean;
}

/** Generous next to the suite's own 30 s limit for the client process. */
const SCENARIO_TIMEOUT_MS = 90_000;

const quote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * What the suite runs for each scenario; it appends the fixture's URL. The same as
 * `npm run -s conformance:client --`, but on this project's Node rather than whichever
 * `node` comes first on the suite's PATH (the suite's PATH starts with its own Node 22).
 */
export const CLIENT_COMMAND = `${quote(process.execPath)} --import tsx ${quote(join(PROJECT_ROOT, 'demo-client', 'conformance.ts'))}`;

/** `list --requirements <revision>`: the scored client scenarios, then the run-but-unscored ones marked `[client]`. */
function parseRequirementSet(listing: string, group: string, specVersion: string): ClientScenario[] {
    const scenarios: ClientScenario[] = [];
    let section = '';
    for (const line of listing.split('\n')) {
        if (/^\S/.test(line)) section = line;
        const scored = /^ {2}- (\S+)$/.exec(line);
        if (scored && section.startsWith('Client scenarios')) scenarios.push({ group, specVersion, name: scored[1]!, scored: true });
        const unscored = /^ {4}- (\S+) \[client\]$/.exec(line);
        if (unscored && section.startsWith('Run and reported, but never scored')) scenarios.push({ group, specVersion, name: unscored[1]!, scored: false });
    }
    return scenarios;
}

/** `list --client --spec-version <v>`, keeping the auth scenarios. */
function parseAuthSuite(listing: string, group: string, specVersion: string): ClientScenario[] {
    return [...listing.matchAll(/^ {2}- (auth\/\S+)/gm)].map((match) => ({ group, specVersion, name: match[1]!, scored: true }));
}

/** Both sets, from the suite itself (so a new scenario in a set is run, and judged, without editing this file). */
export async function clientScenarios(cli: SuiteCli): Promise<ClientScenario[]> {
    const requirements = parseRequirementSet(await suiteOutput(cli, ['list', '--requirements', '2026-07-28']), 'client 2026-07-28', '2026-07-28');
    const authSuite = parseAuthSuite(await suiteOutput(cli, ['list', '--client', '--spec-version', '2025-11-25']), 'client 2025-11-25', '2025-11-25');
    if (requirements.length === 0 || authSuite.length === 0) throw new Error('the suite listed no client scenarios; its list format may have changed');
    return [...requirements, ...authSuite];
}

/** Runs one scenario through the suite and judges its checks against the baseline. */
export async function runClientScenario(cli: SuiteCli, scenario: ClientScenario, resultsRoot: string, baseline: ExpectedFailure[]): Promise<ScenarioResult> {
    const outputDir = join(resultsRoot, `client-${scenario.specVersion}`);
    mkdirSync(outputDir, { recursive: true });
    const logFile = join(outputDir, `${scenario.name.replace(/\//g, '__')}.suite.log`);
    const started = Date.now();
    const run = await runSuite(
        cli,
        ['client', '--scenario', scenario.name, '--spec-version', scenario.specVersion, '--force', '--command', CLIENT_COMMAND, '-o', outputDir],
        { logFile, timeoutMs: SCENARIO_TIMEOUT_MS }
    );
    const resultDir = findResultDir(outputDir, scenario.name);
    if (resultDir) renameSync(logFile, join(resultDir, 'suite.log'));
    const why = run.timedOut ? `the suite did not finish within ${SCENARIO_TIMEOUT_MS / 1000} s` : `the suite exited with ${run.code} and saved no checks`;
    const verdict = judge(scenario.name, readChecks(resultDir, why), baseline);
    return { group: scenario.group, scenario: scenario.name, scored: scenario.scored, verdict, seconds: (Date.now() - started) / 1000, resultDir };
}
