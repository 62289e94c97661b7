/**
 * One scenario's result, and where the suite left it on disk. The suite saves
 * each run as `<output dir>/<prefix><scenario>-<timestamp>/checks.json`
 * (a scenario's `/` makes a subfolder); this finds that file again.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Check, Verdict } from './expected-failures.ts';

export interface ScenarioResult {
    /** Which leg and set ran it, e.g. `client 2026-07-28`. */
    group: string;
    scenario: string;
    /** False for scenarios a requirement set runs but does not score (extensions, later additions). */
    scored: boolean;
    verdict: Verdict;
    seconds: number;
    /** The folder with checks.json and the client's stdout/stderr, if the suite got that far. */
    resultDir?: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The folder the suite made for `scenario` under `outputDir`, if any. */
export function findResultDir(outputDir: string, scenario: string, prefix = ''): string | undefined {
    const parent = join(outputDir, dirname(scenario));
    if (!existsSync(parent)) return undefined;
    // The timestamp is what tells `iss-supported-<ts>` from `iss-supported-missing-<ts>`.
    const pattern = new RegExp(`^${escapeRegExp(prefix + basename(scenario))}-\\d{4}-\\d{2}-\\d{2}T`);
    const match = readdirSync(parent).find((name) => pattern.test(name));
    return match === undefined ? undefined : join(parent, match);
}

/** The checks the suite recorded, or one failed check saying why there are none. */
export function readChecks(resultDir: string | undefined, why: string): Check[] {
    const file = resultDir && join(resultDir, 'checks.json');
    if (!file || !existsSync(file)) return [{ id: 'scenario-completed', status: 'FAILURE', description: why }];
    return JSON.parse(readFileSync(file, 'utf8')) as Check[];
}
