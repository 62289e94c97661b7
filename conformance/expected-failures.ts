/**
 * The baseline: which scenarios (or single checks) are known not to pass, and
 * why. `conformance/expected-failures.yml` keeps the suite's own format —
 * `client:` entries are `<scenario>` or `<scenario>:<check-id>` — so the
 * suite's `--expected-failures` flag reads it too, and adds an
 * `authorization:` section for the authorization-server leg. Every entry must
 * carry a `# reason` on its line.
 *
 * Judging follows the suite's rule: a check with status FAILURE or WARNING has
 * failed; a failure that is not listed is unexpected, and a listed scenario or
 * check that now passes is stale. Both make the run fail, so the file always
 * says exactly what is true.
 */
import { readFileSync } from 'node:fs';

export type Section = 'client' | 'authorization';

export interface ExpectedFailure {
    scenario: string;
    /** When set, only this check of the scenario may fail. */
    checkId?: string;
    reason: string;
}

export type Baseline = Record<Section, ExpectedFailure[]>;

/** One check as the suite writes it to checks.json. */
export interface Check {
    id: string;
    status: string;
    description?: string;
    errorMessage?: string;
}

export type Outcome = 'passed' | 'expected-failure' | 'failed' | 'stale';

export interface Verdict {
    outcome: Outcome;
    /** Ids of the checks that failed (FAILURE or WARNING), each once. */
    failedChecks: string[];
    /** Failed checks no entry covers. */
    unexpected: string[];
    /** Entries (as written) that no longer fail. */
    stale: string[];
}

const SECTIONS: readonly Section[] = ['client', 'authorization'];

/** Reads the baseline file; any line that is not a section, a reasoned entry, a comment or blank is an error. */
export function loadBaseline(path: string): Baseline {
    const baseline: Baseline = { client: [], authorization: [] };
    let section: Section | undefined;
    readFileSync(path, 'utf8')
        .split('\n')
        .forEach((line, index) => {
            const where = `${path}:${index + 1}`;
            if (/^\s*(#.*)?$/.test(line)) return;
            const header = /^([a-z-]+):\s*(#.*)?$/.exec(line);
            if (header) {
                if (!SECTIONS.includes(header[1] as Section)) throw new Error(`${where}: unknown section ${header[1]} (expected ${SECTIONS.join(' or ')})`);
                section = header[1] as Section;
                return;
            }
            const entry = /^\s+-\s+([^\s#:]+)(?::([^\s#]+))?\s+#\s*(\S.*)$/.exec(line);
            if (!entry || !section) throw new Error(`${where}: expected "  - <scenario>[:<check-id>]  # <why>" under a section`);
            baseline[section].push({ scenario: entry[1]!, checkId: entry[2], reason: entry[3]!.trim() });
        });
    return baseline;
}

const hasFailed = (check: Check) => check.status === 'FAILURE' || check.status === 'WARNING';

/** Judges one scenario's checks against the entries for it. */
export function judge(scenario: string, checks: Check[], entries: ExpectedFailure[]): Verdict {
    const mine = entries.filter((entry) => entry.scenario === scenario);
    const failedChecks = [...new Set(checks.filter(hasFailed).map((check) => check.id))];
    const whole = mine.find((entry) => entry.checkId === undefined);
    if (whole) {
        return failedChecks.length > 0
            ? { outcome: 'expected-failure', failedChecks, unexpected: [], stale: [] }
            : { outcome: 'stale', failedChecks, unexpected: [], stale: [scenario] };
    }
    const listed = new Set(mine.map((entry) => entry.checkId!));
    const unexpected = failedChecks.filter((id) => !listed.has(id));
    // As in the suite: only a check that was seen passing makes its entry stale; an absent one says nothing.
    const passing = (id: string) => !failedChecks.includes(id) && checks.some((check) => check.id === id && check.status === 'SUCCESS');
    const stale = [...listed].filter(passing).map((id) => `${scenario}:${id}`);
    const outcome: Outcome = unexpected.length > 0 ? 'failed' : stale.length > 0 ? 'stale' : failedChecks.length > 0 ? 'expected-failure' : 'passed';
    return { outcome, failedChecks, unexpected, stale };
}

/** The reasons given for a scenario's entries, for the report. */
export function reasonsFor(scenario: string, entries: ExpectedFailure[]): string[] {
    return entries.filter((entry) => entry.scenario === scenario).map((entry) => (entry.checkId ? `${entry.checkId}: ${entry.reason}` : entry.reason));
}
