/**
 * The run's summary: one table row per leg (passed / expected failures /
 * unexpected), then every scenario that did not simply pass, with the reason
 * the baseline gives or the checks that failed. The same text goes to the
 * terminal and to results/conformance/summary.md; summary.json has it all.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../support/spawn.ts';
import { reasonsFor, type Baseline } from './expected-failures.ts';
import type { ScenarioResult } from './results.ts';

export interface RunInfo {
    suite: string;
    suiteNode: string;
    clientNode: string;
    seconds: number;
}

/** Scenarios whose result makes the run fail: an unlisted failure, or a listed one that now passes. */
export const isUnexpected = (result: ScenarioResult) => result.verdict.outcome === 'failed' || result.verdict.outcome === 'stale';

function tableRows(results: ScenarioResult[]): string[] {
    const groups = [...new Set(results.map((result) => result.group))];
    const rows = groups.map((group) => {
        const mine = results.filter((result) => result.group === group);
        const count = (test: (result: ScenarioResult) => boolean) => mine.filter(test).length;
        const unscored = count((result) => !result.scored);
        const label = unscored > 0 ? `${group} (${unscored} not scored by the set)` : group;
        return `| ${label} | ${mine.length} | ${count((r) => r.verdict.outcome === 'passed')} | ${count((r) => r.verdict.outcome === 'expected-failure')} | ${count(isUnexpected)} |`;
    });
    return ['| leg | scenarios | passed | expected failures | unexpected |', '|---|---:|---:|---:|---:|', ...rows];
}

function detailLines(results: ScenarioResult[], baseline: Baseline): string[] {
    const lines: string[] = [];
    for (const result of results.filter((r) => r.verdict.outcome !== 'passed')) {
        const entries = result.group === 'authorization server' ? baseline.authorization : baseline.client;
        const where = `${result.group}: ${result.scenario}${result.scored ? '' : ' (not scored)'}`;
        const { outcome, failedChecks, unexpected, stale } = result.verdict;
        if (outcome === 'expected-failure') lines.push(`- ~ ${where} — ${reasonsFor(result.scenario, entries).join('; ')}`);
        if (outcome === 'failed') lines.push(`- ✗ ${where} — unexpected failed checks: ${unexpected.join(', ')}`);
        if (outcome === 'stale') lines.push(`- ✗ ${where} — listed as failing but passes now: ${stale.join(', ')} (remove from conformance/expected-failures.yml)`);
        if (outcome !== 'expected-failure' && result.resultDir) lines.push(`  details: ${relative(PROJECT_ROOT, result.resultDir)}`);
        if (outcome === 'failed' && failedChecks.length > unexpected.length) lines.push(`  (also failed, as listed: ${failedChecks.filter((id) => !unexpected.includes(id)).join(', ')})`);
    }
    return lines;
}

/** The summary as Markdown (it reads fine in a terminal too). */
export function summaryText(results: ScenarioResult[], baseline: Baseline, info: RunInfo): string {
    const unexpected = results.filter(isUnexpected).length;
    return [
        `MCP conformance suite ${info.suite} (suite on Node ${info.suiteNode}, demo processes on Node ${info.clientNode}), ${Math.round(info.seconds)} s`,
        '',
        ...tableRows(results),
        '',
        ...detailLines(results, baseline),
        '',
        unexpected === 0 ? 'Result: every result is as expected.' : `Result: ${unexpected} unexpected result${unexpected === 1 ? '' : 's'}.`
    ].join('\n');
}

/** Writes summary.md and summary.json into `resultsRoot`. */
export function writeSummary(resultsRoot: string, text: string, results: ScenarioResult[], info: RunInfo): void {
    writeFileSync(join(resultsRoot, 'summary.md'), `${text}\n`);
    const scenarios = results.map((result) => ({ ...result, resultDir: result.resultDir && relative(resultsRoot, result.resultDir) }));
    writeFileSync(join(resultsRoot, 'summary.json'), `${JSON.stringify({ ...info, scenarios }, null, 2)}\n`);
}
