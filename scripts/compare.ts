/**
 * `npm run compare`: the same story on the v1 and the v2 SDK client, against
 * the same AS and RS, side by side.
 *
 *   tsx scripts/compare.ts [--json]
 *
 * Starts demo-as and demo-rs on free loopback ports, runs
 * examples/v1-sdk-client.ts (as is, and with `--without-refresh-token`) and
 * examples/v2-sdk-client.ts (default negotiation, and pinned to 2026-07-28)
 * one after the other with `--json`, reads the facts each observed, checks
 * them against the AS's own log (its `token grant_type=… client_id=…` lines),
 * and prints one table: what each client asked for at the step-up, whether it
 * tried the refresh grant, what its token then held, whether `list-files`
 * still worked, whether it redeemed a code from a callback with a wrong `iss`.
 * `--json` prints the facts and the table rows instead. Both servers are
 * stopped on every exit path. Exit 0 when every client produced its facts.
 */
import { parseCommandLineOrHelp } from '../support/usage.ts';
import { COMPARE } from './command-lines.ts';
import { colours } from '../support/output.ts';
import { runToEnd, startServer, type RunningServer } from '../support/spawn.ts';
import type { StepFacts, StoryFacts } from '../examples/v1-sdk-client.ts';

const PROGRAM = COMPARE.program;
const CLIENT_TIMEOUT_MS = 60_000;

interface Column {
    label: string;
    entry: string;
    args: string[];
}

const COLUMNS: Column[] = [
    { label: 'v1', entry: 'examples/v1-sdk-client.ts', args: [] },
    { label: 'v1, no refresh token', entry: 'examples/v1-sdk-client.ts', args: ['--without-refresh-token'] },
    { label: 'v2', entry: 'examples/v2-sdk-client.ts', args: [] },
    { label: 'v2, 2026-07-28', entry: 'examples/v2-sdk-client.ts', args: ['--pin-protocol', '2026-07-28'] },
    { label: 'v2, DPoP', entry: 'examples/v2-sdk-client.ts', args: ['--dpop'] }
];

/** One `token …` line of the AS log (contract: `token grant_type=<g> client_id=<id> status=<s>[ error=<e>][ scope="<granted>"]`). */
export interface AsTokenLine {
    grantType: string;
    status: number;
    scope?: string;
}

export interface ComparedColumn extends Column {
    facts: StoryFacts;
    /** The AS's token lines for this column's client_id, story and iss probe together, in order. */
    asTokenLog: AsTokenLine[];
}

export interface Row {
    fact: string;
    values: string[];
}

// ─── Running the clients ──────────────────────────────────────────────────────

async function runColumn(column: Column, mcpUrl: string, as: RunningServer): Promise<ComparedColumn> {
    const run = await runToEnd(column.entry, ['--server', mcpUrl, '--json', ...column.args], { env: { NO_COLOR: '1' }, timeoutMs: CLIENT_TIMEOUT_MS });
    if (run.code !== 0) throw new Error(`${column.entry} ${column.args.join(' ')} exited with ${run.code}: ${run.stderr.split('\n')[0] ?? ''}`);
    const facts = JSON.parse(run.stdout) as StoryFacts;
    return { ...column, facts, asTokenLog: asTokenLines(as.stdout, facts.clientId) };
}

function asTokenLines(stdout: string[], clientId: string | null): AsTokenLine[] {
    const lines: AsTokenLine[] = [];
    for (const line of stdout) {
        const match = /^token grant_type=(\S+) client_id=(\S+) status=(\d{3})(?: error=\S+)?(?: scope="([^"]*)")?$/.exec(line);
        if (!match || match[2] !== clientId) continue;
        lines.push({ grantType: match[1]!, status: Number(match[3]), ...(match[4] !== undefined && { scope: match[4] }) });
    }
    return lines;
}

// ─── The table ────────────────────────────────────────────────────────────────

const scopeText = (scope: string | null | undefined) => (scope === null || scope === undefined ? '(none)' : scope);

/** ✓ or ✗; a failure's message goes to the notes under the table, so the columns stay narrow. */
const outcomeMark = (step: StepFacts) => (step.outcome.ok ? '✓' : '✗ (see notes)');

function refreshText(step: StepFacts): string {
    const refreshes = step.tokenRequests.filter((request) => request.grantType === 'refresh_token');
    if (refreshes.length === 0) return 'not tried';
    return refreshes.map((request) => `tried → ${request.status}, grants ${scopeText(request.scope)}`).join('; ');
}

function challengedScope(step: StepFacts): string {
    const challenge = step.challenges.find((seen) => seen.status === 403 && seen.error === 'insufficient_scope');
    return challenge === undefined ? '(no 403)' : scopeText(challenge.scope);
}

/** ✓ alone, or ✓ after the 403 and fresh consent the step needed first. */
function againText(step: StepFacts): string {
    if (step.authorizeScopes.length === 0) return outcomeMark(step);
    return `${outcomeMark(step)} after a 403 and consent for ${step.authorizeScopes.map(scopeText).join(', ')}`;
}

/** The facts, one row each, in the order the story meets them. */
function tableRows(columns: ComparedColumn[]): Row[] {
    const row = (fact: string, value: (column: ComparedColumn) => string): Row => ({ fact, values: columns.map(value) });
    const consents = (facts: StoryFacts) => Object.values(facts.steps).reduce((count, step) => count + step.authorizeScopes.length, 0);
    return [
        row('SDK', (c) => c.facts.sdk.replace('@modelcontextprotocol/', '')),
        row('protocol', (c) => c.facts.protocolVersion ?? '(unknown)'),
        row('connect: scope on /authorize', (c) => scopeText(c.facts.steps.connect.authorizeScopes[0])),
        row('token type', (c) => c.facts.steps.connect.tokenRequests.find((request) => request.status === 200)?.tokenType ?? '(none)'),
        row('list-files', (c) => outcomeMark(c.facts.steps.listFiles)),
        row('write-file: 403 insufficient_scope for', (c) => challengedScope(c.facts.steps.writeFile)),
        row('step-up: refresh grant', (c) => refreshText(c.facts.steps.writeFile)),
        row('step-up: scope on /authorize', (c) => c.facts.steps.writeFile.authorizeScopes.map(scopeText).join(', ') || '(none opened)'),
        row('token then holds', (c) => scopeText(c.facts.steps.writeFile.tokenScope)),
        row('write-file', (c) => outcomeMark(c.facts.steps.writeFile)),
        row('list-files again', (c) => againText(c.facts.steps.listFilesAgain)),
        row('token at the end holds', (c) => scopeText(c.facts.steps.listFilesAgain.tokenScope)),
        row('consents in the story', (c) => String(consents(c.facts))),
        row('wrong-iss callback: code redeemed', (c) => (c.facts.issProbe.codeRedeemed ? 'yes' : `no (${c.facts.issProbe.outcome.ok ? 'but connected' : c.facts.issProbe.outcome.error.split(' ')[0]})`)),
        row('AS log: token grants (+ probe)', (c) => c.asTokenLog.map((line) => `${line.grantType.replace('authorization_', '')}:${line.status}`).join(' '))
    ];
}

const STEP_NAMES: Record<keyof StoryFacts['steps'], string> = { connect: 'connect', listFiles: 'list-files', writeFile: 'write-file', listFilesAgain: 'list-files again' };

/** Each failed step's message, one line per column and step. */
function notes(columns: ComparedColumn[]): string[] {
    return columns.flatMap((column) =>
        (Object.keys(STEP_NAMES) as Array<keyof StoryFacts['steps']>).flatMap((key) => {
            const { outcome } = column.facts.steps[key];
            return outcome.ok ? [] : [`${column.label}, ${STEP_NAMES[key]}: ${outcome.error}`];
        })
    );
}

function printTable(rows: Row[], columns: ComparedColumn[], origins: { as: string; rs: string }): void {
    const paint = colours();
    const headers = ['', ...columns.map((column) => column.label)];
    const cells = rows.map((row) => [row.fact, ...row.values]);
    const widths = headers.map((header, index) => Math.max(header.length, ...cells.map((cell) => cell[index]!.length)));
    const line = (cell: string[]) => cell.map((text, index) => text.padEnd(widths[index]!)).join('  ').trimEnd();
    process.stdout.write(paint.dim(`authorization server  ${origins.as}\nresource server       ${origins.rs}/mcp\n\n`));
    process.stdout.write(`${paint.bold(line(headers))}\n${cells.map(line).join('\n')}\n`);
    const failed = notes(columns);
    if (failed.length > 0) process.stdout.write(`\nnotes:\n${failed.map((note) => `  ${note}`).join('\n')}\n`);
}

// ─── Main ─────────────────────────────────────────────────────────────────────

async function main(): Promise<number> {
    const { values } = parseCommandLineOrHelp(COMPARE);
    const started: RunningServer[] = [];
    const stopAll = () => Promise.all(started.map((server) => server.stop()));
    process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
    try {
        const as = await startServer('demo-as/main.ts', ['--port', '0']);
        started.push(as);
        const rs = await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin]);
        started.push(rs);
        const compared: ComparedColumn[] = [];
        for (const column of COLUMNS) compared.push(await runColumn(column, `${rs.origin}/mcp`, as));
        const rows = tableRows(compared);
        if (values.json) process.stdout.write(`${JSON.stringify({ as: as.origin, rs: rs.origin, columns: compared, rows }, null, 2)}\n`);
        else printTable(rows, compared, { as: as.origin, rs: rs.origin });
        return 0;
    } catch (error) {
        process.stderr.write(`${PROGRAM}: ${error instanceof Error ? error.message.split('\n')[0] : 'failed'}\n`);
        return 1;
    } finally {
        await stopAll();
    }
}

process.exitCode = await main();
