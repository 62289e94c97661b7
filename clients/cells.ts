/**
 * The matrix's columns and how each cell is derived from a run's wire
 * evidence (evidence.ts): the AS's request log, the RS's call log, the
 * recording fetch and the person's visits. The adapter's own step line only
 * says whether the library reported success; what the client did is read off
 * the wire. Cells are short and categorical — no ports, ids, times — so the
 * same client gives the same table on every run.
 *
 * Every phrase a cell can carry is in LEGEND, which docs/clients.md shows
 * under the table.
 */
import { CALLBACK_UNREACHABLE } from '../e2e/scripted-browser.ts';
import { asEvents, rsCalls, stepOf, wholeRun, type AsEvent, type RunEvidence, type StepEvidence, type Wire } from './evidence.ts';

export type Mark = '✓' | '✗' | '–';

export interface Cell {
    mark: Mark;
    text: string;
}

export const renderCell = (cell: Cell) => `${cell.mark} ${cell.text}`;

/** The runs of one client, by scenario id (scenarios.ts). */
export type ClientRuns = ReadonlyMap<string, RunEvidence>;

export interface Column {
    heading: string;
    /** What the column runs and reads, for the legend. */
    meaning: string;
    derive(runs: ClientRuns): Cell;
}

const ok = (text: string): Cell => ({ mark: '✓', text });
const bad = (text: string): Cell => ({ mark: '✗', text });
const neutral = (text: string): Cell => ({ mark: '–', text });
const code = (text: string) => `\`${text}\``;

const NOT_RUN = neutral('not run');

/** The story's runs: the exact-match run, or its rerun with --loopback-any-port when the AS refused the redirect URI. */
function storyRun(runs: ClientRuns): RunEvidence | undefined {
    return runs.get('story-any-port') ?? runs.get('story');
}

const authorizations = (wire: Wire) => asEvents(wire).filter((event) => event.kind === 'authorize');
const consented = (wire: Wire) => authorizations(wire).filter((event) => event.status === 200);
const tokenRequests = (wire: Wire, grantType: string) => asEvents(wire).filter((event) => event.kind === 'token' && event.grantType === grantType);
const redeemed = (wire: Wire) => tokenRequests(wire, 'authorization_code').some((event) => event.status === 200);
const toolStatuses = (wire: Wire, tool: string) => rsCalls(wire).filter((call) => call.tool === tool).map((call) => call.status);
const succeeded = (wire: Wire, tool: string) => toolStatuses(wire, tool).includes(200);
/** Every authorization response the person carried back found nothing listening. */
const callbackClosed = (wire: Wire) => wire.visits.length > 0 && wire.visits.every((visit) => visit.problem === CALLBACK_UNREACHABLE);
const timedOut = (step: StepEvidence) => Boolean(step.error?.includes('did not finish within'));

function scopeWords(event: AsEvent | undefined): string[] {
    return event?.scope ? event.scope.split(' ') : [];
}

function times(count: number): string {
    return count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
}

// ─── First authorization ──────────────────────────────────────────────────────

/** Why a first authorization did not complete, from the first refusal the AS logged. */
function firstAuthorizationFailure(wire: Wire): Cell {
    const events = asEvents(wire);
    const registration = events.find((event) => event.kind === 'register');
    if (registration && registration.status >= 400) return bad(`registration refused (${code(registration.error ?? String(registration.status))})`);
    const authorize = events.find((event) => event.kind === 'authorize');
    if (!authorize) return bad(registration ? 'registered, never sent the person to the AS' : 'never reached the AS');
    if (authorize.error === 'invalid_redirect_uri') return bad('redirect URI refused');
    if (authorize.status >= 400) return bad(`authorization refused (${code(authorize.error ?? String(authorize.status))})`);
    if (callbackClosed(wire)) return bad('consented; callback listener closed');
    const token = tokenRequests(wire, 'authorization_code')[0];
    if (!token) return bad('consented; code never redeemed');
    if (token.status >= 400) return bad(`code refused (${code(token.error ?? String(token.status))})`);
    return bad('token issued; tools not listed');
}

export function deriveFirstAuthorization(step: StepEvidence | undefined): Cell {
    if (!step) return NOT_RUN;
    if (step.ok && redeemed(step)) return ok(`asked ${code(consented(step)[0]?.scope ?? '')}, consented, tools listed`);
    return firstAuthorizationFailure(step);
}

/**
 * demo-as registers public clients only: it answers `none`, and logs the method asked for when that was
 * `client_secret_post` or `client_secret_basic` (RFC 7591 §3.2.1 lets it replace a requested value).
 */
export function deriveRegistrationAuthMethod(run: RunEvidence | undefined): Cell {
    if (!run) return NOT_RUN;
    const registration = asEvents(wholeRun(run)).find((event) => event.kind === 'register');
    if (!registration) return neutral('did not register');
    if (registration.status >= 400) return bad(`registration refused (${code(registration.error ?? String(registration.status))})`);
    if (registration.replacedAuthMethod) return ok(`asked ${code(registration.replacedAuthMethod)}, answered \`none\``);
    return ok('`none`');
}

export function deriveRedirectUri(runs: ClientRuns): Cell {
    const story = runs.get('story');
    if (!story) return NOT_RUN;
    const refused = (run: RunEvidence) => authorizations(wholeRun(run)).some((event) => event.error === 'invalid_redirect_uri');
    if (!refused(story)) return ok('exact match');
    const anyPort = runs.get('story-any-port');
    if (!anyPort) return bad('refused; not rerun');
    return refused(anyPort) ? bad('refused, also with `--loopback-any-port`') : bad('needs `--loopback-any-port`');
}

// ─── Tool calls ───────────────────────────────────────────────────────────────

export function deriveList(step: StepEvidence | undefined, afterWrite = false): Cell {
    if (!step) return NOT_RUN;
    const statuses = toolStatuses(step, 'list-files');
    if (statuses.length === 0) return bad('not called');
    if (statuses.includes(200)) return ok('listed');
    if (afterWrite && statuses.includes(403)) return bad('403: lost `files:read` (replaced scope)');
    return bad(`refused (${statuses.at(-1)})`);
}

/** The step-up: what the client did after the RS's 403 insufficient_scope for `tool`. */
export function deriveStepUp(step: StepEvidence | undefined, tool: string): Cell {
    if (!step) return NOT_RUN;
    const statuses = toolStatuses(step, tool);
    if (statuses.length === 0) return bad('not called');
    if (statuses[0] === 200) return neutral('no 403: the token already held the scope');
    const asked = consented(step)[0];
    const words = scopeWords(asked);
    const union = words.includes('files:read') && words.includes('files:write');
    const what = !asked ? '' : union ? `union ${code(asked.scope!)}` : `${code(asked.scope ?? '')} only (replaces)`;
    if (succeeded(step, tool)) return union ? ok(what) : bad(`wrote; asked ${what}`);
    if (!asked) {
        const refreshed = tokenRequests(step, 'refresh_token').length > 0;
        return refreshed ? bad('refreshed (cannot widen, RFC 6749 §6), then stopped') : bad('no re-authorization after 403');
    }
    if (callbackClosed(step)) return bad(`asked ${union ? 'the union' : what}; callback listener closed`);
    if (!redeemed(step)) return bad(`asked ${what}; code never redeemed`);
    return bad(`asked ${what}; did not retry the call`);
}

/**
 * The purge: files:admin is never granted (demo-as policy), so only a retry cap ends it. `held` is the scope of
 * the last token the client was issued before the purge: asking for less than that at a step-up loses scopes the
 * user already granted (a client that narrows its request).
 */
export function derivePurge(step: StepEvidence | undefined, held: string[] = []): Cell {
    if (!step) return NOT_RUN;
    const statuses = toolStatuses(step, 'purge-files');
    if (statuses.length === 0) return bad('not called');
    if (statuses.includes(200)) return bad('purged (files:admin granted?)');
    const asked = consented(step);
    if (asked.length === 0) return neutral(tokenRequests(step, 'refresh_token').length > 0 ? 'refreshed, then stopped' : 'no re-authorization after 403');
    if (timedOut(step) || asked.length > 3) return bad(`asked ${asked.length > 3 ? 'more than 3 times' : times(asked.length)}, never stopped (no retry cap)`);
    const narrowed = asked.find((event) => held.some((scope) => !scopeWords(event).includes(scope)));
    if (narrowed) return bad(`asked ${code(narrowed.scope ?? '')}, less than the ${code(held.join(' '))} it held: loses a granted scope`);
    const words = scopeWords(asked[0]);
    const what = words.includes('files:read') && words.includes('files:write') ? 'the union with `files:admin`' : code(asked[0]!.scope ?? '');
    if (callbackClosed(step)) return neutral(`asked ${what}; callback listener closed, so no retry cap was reached`);
    // How many times (one to three) depends on the library's cap and on how its host retries; that it stopped is the point.
    return ok(`asked ${what}, then stopped`);
}

/** The scope of the last token issued in `run` before its step `step` (AS log). */
export function heldBefore(run: RunEvidence | undefined, step: string): string[] {
    if (!run) return [];
    const before = run.steps.slice(0, Math.max(0, run.steps.findIndex((entry) => entry.step === step)));
    const issued = before.flatMap((entry) => asEvents(entry)).filter((event) => event.kind === 'token' && event.status === 200 && event.scope !== undefined);
    return scopeWords(issued.at(-1));
}

// ─── Probes ───────────────────────────────────────────────────────────────────

/** RFC 9207: a callback whose iss was rewritten or removed must be refused before the code is redeemed. */
export function deriveIss(run: RunEvidence | undefined): Cell {
    if (!run) return NOT_RUN;
    const wire = wholeRun(run);
    if (wire.visits.length === 0) return neutral('never sent the person to the AS');
    if (redeemed(wire)) return bad('redeemed the code');
    if (callbackClosed(wire)) return neutral('callback listener closed before the response came');
    return ok('refused, nothing redeemed');
}

/** The AS restarted mid-session: the held token is refused, the refresh is invalid_client; the client must register again. */
export function deriveAsRestart(run: RunEvidence | undefined): Cell {
    if (!run) return NOT_RUN;
    const step = stepOf(run, 'call:list-files', 2);
    if (!stepOf(run, 'call:list-files', 1)?.ok) return neutral('did not get that far');
    if (!step) return bad('stopped at the restart');
    const events = asEvents(step);
    const refresh = tokenRequests(step, 'refresh_token')[0];
    const registered = events.some((event) => event.kind === 'register' && event.status < 400);
    if (succeeded(step, 'list-files')) {
        if (registered) return ok(refresh ? 'refresh refused, registered again' : 'registered again');
        return bad('listed without registering again');
    }
    if (registered) return bad(`registered again; ${consented(step).length ? 'then did not list' : 'never re-authorized'}`);
    if (refresh) return bad(`refreshed (${code(refresh.error ?? String(refresh.status))}), then stopped`);
    return bad('no recovery after 401');
}

/** demo-rs --initial-scope "files:read files:write": the first authorization asks both, so no step-up is needed. */
export function deriveInitialScope(run: RunEvidence | undefined): Cell {
    if (!run) return NOT_RUN;
    const connect = stepOf(run, 'connect');
    if (!connect?.ok) return deriveFirstAuthorization(connect);
    const write = stepOf(run, 'call:write-file');
    const statuses = write ? toolStatuses(write, 'write-file') : [];
    if (statuses[0] === 200) return ok(`asked ${code(consented(connect)[0]?.scope ?? '')} up front; no step-up`);
    return deriveStepUp(write, 'write-file');
}

/** demo-rs --challenge-scope held-and-required: the 403 names files:read files:write, so even replacing keeps both. */
export function deriveHeldAndRequired(run: RunEvidence | undefined): Cell {
    if (!run) return NOT_RUN;
    const connect = stepOf(run, 'connect');
    if (!connect?.ok) return deriveFirstAuthorization(connect);
    const writeStep = stepOf(run, 'call:write-file');
    const write = deriveStepUp(writeStep, 'write-file');
    const list = deriveList(stepOf(run, 'call:list-files'), true);
    const asked = writeStep && consented(writeStep)[0];
    if (!(writeStep && succeeded(writeStep, 'write-file')) || !asked) return write;
    return list.mark === '✓' ? ok(`wrote, asked ${code(asked.scope ?? '')}; list still works`) : list;
}

/** demo-as and demo-rs with --require-dpop: only a client that binds its tokens (RFC 9449) gets through. */
export function deriveDpop(run: RunEvidence | undefined): Cell {
    if (!run) return NOT_RUN;
    const wire = wholeRun(run);
    if (succeeded(wire, 'list-files')) return ok('DPoP-bound token; proofs sent');
    const refused = tokenRequests(wire, 'authorization_code').find((event) => event.status >= 400);
    if (refused) return bad(`token refused (${code(refused.error ?? String(refused.status))}): no DPoP proof`);
    return deriveFirstAuthorization(stepOf(run, 'connect')).mark === '✓' ? bad('did not list') : deriveFirstAuthorization(stepOf(run, 'connect'));
}

// ─── The columns, in table order ──────────────────────────────────────────────

export const COLUMNS: Column[] = [
    {
        heading: 'First authorization',
        meaning: 'connect: registration (RFC 7591), consent, code redeemed (AS log), tools listed',
        derive: (runs) => deriveFirstAuthorization(storyStep(runs, 'connect'))
    },
    {
        heading: 'Redirect URI',
        meaning: 'did demo-as (exact match, the default) accept the redirect URI? If not, the story is rerun with `--loopback-any-port` and the other story columns come from that run',
        derive: deriveRedirectUri
    },
    {
        heading: 'Registration auth method',
        meaning: 'the registration\'s `token_endpoint_auth_method`: `none` as asked, or the method asked for and `none` answered in its place (AS log)',
        derive: (runs) => deriveRegistrationAuthMethod(storyRun(runs))
    },
    { heading: 'List', meaning: '`list-files` with the first token (`files:read`), RS call log', derive: (runs) => deriveList(storyStep(runs, 'call:list-files')) },
    {
        heading: 'Write (step-up)',
        meaning: '`write-file`: after the RS\'s 403 `insufficient_scope`, the scope the client asked at /authorize (AS log) and whether the call then succeeded (RS log)',
        derive: (runs) => deriveStepUp(storyStep(runs, 'call:write-file'), 'write-file')
    },
    {
        heading: 'List after write',
        meaning: '`list-files` again: a client that replaced its scope with `files:write` has lost `files:read`',
        derive: (runs) => deriveList(storyStep(runs, 'call:list-files', 2), true)
    },
    {
        heading: 'Purge (never granted)',
        meaning: '`purge-files` needs `files:admin`, which demo-as never grants: how often the client asked before it stopped (a retry cap), or that it never stopped',
        derive: (runs) => derivePurge(storyStep(runs, 'call:purge-files'), heldBefore(storyRun(runs), 'call:purge-files'))
    },
    {
        heading: '`iss` rewritten',
        meaning: 'the person\'s browser rewrites `iss` on the callback to another issuer (RFC 9207 §2.4): was the code redeemed (AS log)?',
        derive: (runs) => deriveIss(runs.get('iss-rewritten'))
    },
    {
        heading: '`iss` removed',
        meaning: 'the browser removes `iss` from the callback although the AS advertises `authorization_response_iss_parameter_supported`: was the code redeemed?',
        derive: (runs) => deriveIss(runs.get('iss-removed'))
    },
    {
        heading: 'AS restarted',
        meaning: 'after connect and `list-files`, demo-as restarts (new key, no clients) and the access token expires: does the next `list-files` get through by registering again?',
        derive: (runs) => deriveAsRestart(runs.get('as-restart'))
    },
    {
        heading: 'Write with `--initial-scope`',
        meaning: 'demo-rs `--initial-scope "files:read files:write"`: connect, then `write-file`',
        derive: (runs) => deriveInitialScope(runs.get('initial-scope'))
    },
    {
        heading: 'Write with `held-and-required`',
        meaning: 'demo-rs `--challenge-scope held-and-required` (the 403 names the held scopes too): connect, `write-file`, `list-files`',
        derive: (runs) => deriveHeldAndRequired(runs.get('held-and-required'))
    },
    {
        heading: 'DPoP required',
        meaning: 'demo-as and demo-rs with `--require-dpop` (RFC 9449): connect and `list-files`',
        derive: (runs) => deriveDpop(runs.get('dpop'))
    }
];

function storyStep(runs: ClientRuns, step: string, nth = 1): StepEvidence | undefined {
    const run = storyRun(runs);
    return run && stepOf(run, step, nth);
}

export function deriveRow(runs: ClientRuns): string[] {
    return COLUMNS.map((column) => renderCell(column.derive(runs)));
}

/** What each column runs and how to read it, and what the marks mean: shown under the table. */
export function renderLegend(): string {
    return [
        '✓ the client did what the suite expects · ✗ it did not · – neither (nothing to judge, or a choice)',
        '',
        ...COLUMNS.map((column) => `- **${column.heading}** — ${column.meaning}`)
    ].join('\n');
}
