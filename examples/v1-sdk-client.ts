/**
 * The scoped-tools story on the v1 SDK client — `@modelcontextprotocol/sdk`
 * 1.32.x, what most MCP clients in the field still run — against the running
 * demo, to see what v1 does at the step-up.
 *
 *   tsx examples/v1-sdk-client.ts --server <RS /mcp url> [--json] [--without-refresh-token]
 *
 * A headless v1 client: its own in-memory `OAuthClientProvider`, a callback
 * listener on 127.0.0.1, and the same consent approval as demo-client's
 * headless mode (GET the consent page, keep its cookie, POST every hidden
 * input plus decision=approve, follow the 302 only to its own callback). It
 * runs connect, `list-files`, `write-file`, `list-files` again, then one probe:
 * a fresh authorization whose callback carries a wrong `iss`.
 * `--without-refresh-token` makes the provider keep no refresh token (as with
 * an AS that issues none, or one that has expired), so v1 must authorize
 * afresh at the step-up — the only way to see which scope it asks for then.
 *
 * Nothing here is assumed: the example records what v1 actually sends — the
 * `scope` on every /authorize URL it opens, every token request (grant_type,
 * status, granted scope), every 401/403 challenge, the `scope` claim of the
 * token it holds after each step — and prints those facts, or emits them as
 * JSON with `--json` (scripts/compare.ts reads that). Exit 0 once every step
 * was observed, whatever v1 did in it; 1 when the run could not get that far
 * (e.g. the demo is not running).
 *
 * DEMO ONLY — NOT FOR PRODUCTION: tokens live in memory, the callback is plain
 * HTTP on loopback, and the iss probe tampers with an authorization response
 * on purpose.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';

const PROGRAM = 'v1-sdk-client';
const SDK_PACKAGE = '@modelcontextprotocol/sdk';
const CALLBACK_PATH = '/callback';
const CALLBACK_TIMEOUT_MS = 15_000;
/** The issuer the probe's tampered callback names: not the AS that issued the code (a mix-up, RFC 9207 §2.4). */
const WRONG_ISS = 'https://attacker.example';

// ─── The facts (the same shape as examples/v2-sdk-client.ts emits) ───────────

export type Outcome = { ok: true; text: string } | { ok: false; error: string };

export interface StepFacts {
    outcome: Outcome;
    /** Every 401/403 Bearer challenge the RS sent during the step. */
    challenges: Array<{ status: number; error?: string; scope?: string }>;
    /** The `scope` of every /authorize URL the SDK opened during the step (null: none on the URL). */
    authorizeScopes: Array<string | null>;
    /** Every token request the SDK made during the step. */
    tokenRequests: Array<{ grantType: string; status: number; scope?: string; tokenType?: string }>;
    /** The `scope` claim of the access token held after the step. */
    tokenScope: string | null;
}

export interface StoryFacts {
    sdk: string;
    variant: string;
    /** The MCP protocol revision the connection negotiated (2025-11-25: the `initialize` lifecycle). */
    protocolVersion: string | null;
    clientId: string | null;
    steps: { connect: StepFacts; listFiles: StepFacts; writeFile: StepFacts; listFilesAgain: StepFacts };
    issProbe: { sentIss: string; outcome: Outcome; codeRedeemed: boolean };
}

// ─── Observing what the SDK sends ─────────────────────────────────────────────

type Observed = Omit<StepFacts, 'outcome' | 'tokenScope'>;

let observed: Observed = { challenges: [], authorizeScopes: [], tokenRequests: [] };

/** One `name="value"` auth-param of a `WWW-Authenticate: Bearer …` header. */
function challengeParam(header: string, name: string): string | undefined {
    return new RegExp(`(?:^|[\\s,])${name}="([^"]*)"`).exec(header)?.[1];
}

/** The fetch v1 is given for MCP and OAuth alike: it passes everything through and notes token requests and challenges. */
const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const grantType = init?.body instanceof URLSearchParams ? init.body.get('grant_type') : null;
    if (grantType !== null) {
        const json = (await response.clone().json().catch(() => ({}))) as { scope?: unknown; token_type?: unknown };
        const scope = response.ok && typeof json.scope === 'string' ? json.scope : undefined;
        const tokenType = response.ok && typeof json.token_type === 'string' ? json.token_type : undefined;
        observed.tokenRequests.push({ grantType, status: response.status, ...(scope !== undefined && { scope }), ...(tokenType !== undefined && { tokenType }) });
    }
    const header = response.headers.get('www-authenticate');
    if ((response.status === 401 || response.status === 403) && header?.startsWith('Bearer')) {
        const error = challengeParam(header, 'error');
        const scope = challengeParam(header, 'scope');
        observed.challenges.push({ status: response.status, ...(error !== undefined && { error }), ...(scope !== undefined && { scope }) });
    }
    return response;
};

// ─── The callback listener (127.0.0.1 only) ───────────────────────────────────

let deliverCallback: ((params: URLSearchParams) => void) | undefined;

function onCallbackRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || deliverCallback === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('No authorization is pending here.\n');
        return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Authorization response received; you can close this window.\n');
    deliverCallback(url.searchParams);
}

/** The callback listener on 127.0.0.1, on a port the OS picks (RFC 8252 §7.3). */
async function listenOnLoopback(): Promise<{ server: Server; origin: string }> {
    const server = createServer(onCallbackRequest);
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
    });
    return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Waits for the one callback an authorization that `start` begins delivers; `start` settles first. */
async function withCallback<T>(start: () => Promise<T>): Promise<{ result: T; callback?: Promise<URLSearchParams> }> {
    let timer: NodeJS.Timeout | undefined;
    const callback = new Promise<URLSearchParams>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error('no authorization response reached the callback listener')), CALLBACK_TIMEOUT_MS);
        deliverCallback = (params) => {
            clearTimeout(timer);
            deliverCallback = undefined;
            resolve(params);
        };
    });
    callback.catch(() => undefined);
    try {
        return { result: await start(), callback };
    } finally {
        if (deliverCallback !== undefined) {
            clearTimeout(timer);
            deliverCallback = undefined;
        }
    }
}

// ─── The headless user agent: what a browser does on Approve ──────────────────

const decodeHtml = (value: string) =>
    value.replace(/&(amp|lt|gt|quot|#39);/g, (_whole, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] ?? '');

/** The consent form's hidden inputs, as a browser would submit them. */
function hiddenInputs(html: string): Array<[string, string]> {
    return [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(([, name, value]) => [decodeHtml(name!), decodeHtml(value!)]);
}

/**
 * Approves the authorization at `authorizationUrl` and follows the redirect to `callbackUrl` — only there.
 * `tamperIss` replaces the response's `iss` on the way: that is the probe, never the story.
 */
async function approveHeadlessly(authorizationUrl: URL, callbackUrl: URL, tamperIss?: string): Promise<void> {
    const page = await fetch(authorizationUrl, { redirect: 'manual' });
    if (page.status !== 200) throw new Error(`the authorization server answered /authorize with HTTP ${page.status}, not a consent page`);
    const html = await page.text();
    const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1];
    if (action === undefined) throw new Error('the consent page has no form');
    const cookie = page.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    const decision = await fetch(new URL(decodeHtml(action), authorizationUrl), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams([...hiddenInputs(html), ['decision', 'approve']])
    });
    const location = decision.headers.get('location');
    const target = location === null ? undefined : new URL(location, authorizationUrl);
    if (decision.status !== 302 || !target || target.origin !== callbackUrl.origin || target.pathname !== callbackUrl.pathname) {
        throw new Error("the consent decision did not redirect to this client's callback; not following");
    }
    if (tamperIss !== undefined) target.searchParams.set('iss', tamperIss);
    await (await fetch(target)).body?.cancel();
}

// ─── The v1 OAuthClientProvider (in memory) ───────────────────────────────────

class InMemoryV1Provider implements OAuthClientProvider {
    private client?: OAuthClientInformationMixed;
    private current?: OAuthTokens;
    private verifier?: string;
    private issuedState?: string;

    constructor(
        private readonly callbackUrl: URL,
        private readonly options: { keepRefreshTokens: boolean; tamperIss?: string; registration?: OAuthClientInformationMixed }
    ) {
        this.client = options.registration;
    }

    get redirectUrl(): string {
        return this.callbackUrl.href;
    }

    get clientMetadata(): OAuthClientMetadata {
        return {
            client_name: 'v1 SDK client (scoped-tools example)',
            redirect_uris: [this.callbackUrl.href],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'none'
        };
    }

    /** A fresh unguessable state per authorization (RFC 6749 §10.12). */
    state(): string {
        this.issuedState = randomBytes(16).toString('base64url');
        return this.issuedState;
    }

    /** The callback must carry the state this provider just issued; v1 leaves that check to the host. */
    stateMatches(params: URLSearchParams): boolean {
        return this.issuedState !== undefined && params.get('state') === this.issuedState;
    }

    clientInformation(): OAuthClientInformationMixed | undefined {
        return this.client;
    }
    saveClientInformation(information: OAuthClientInformationMixed): void {
        this.client = information;
    }
    tokens(): OAuthTokens | undefined {
        return this.current;
    }
    saveTokens(tokens: OAuthTokens): void {
        this.current = this.options.keepRefreshTokens ? tokens : { ...tokens, refresh_token: undefined };
    }
    saveCodeVerifier(verifier: string): void {
        this.verifier = verifier;
    }
    codeVerifier(): string {
        if (this.verifier === undefined) throw new Error('no PKCE verifier saved');
        return this.verifier;
    }
    invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
        if (scope === 'all' || scope === 'client') this.client = undefined;
        if (scope === 'all' || scope === 'tokens') this.current = undefined;
        if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    }

    async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
        observed.authorizeScopes.push(authorizationUrl.searchParams.get('scope'));
        await approveHeadlessly(authorizationUrl, this.callbackUrl, this.options.tamperIss);
    }

    /** The registration, to share with the probe's fresh provider. */
    registration(): OAuthClientInformationMixed | undefined {
        return this.client;
    }

    /** The `scope` claim of the access token held now — what the RS sees. */
    heldScope(): string | null {
        const token = this.current?.access_token;
        const scope = token === undefined ? undefined : decodeJwt(token).scope;
        return typeof scope === 'string' ? scope : null;
    }
}

// ─── The host: v1's authorization-code dance around UnauthorizedError ────────

/** An error as one short line; server text is cut to its first line. */
function describeError(error: unknown): string {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    return text.split('\n')[0]!.slice(0, 200);
}

/** After v1 sent the user to /authorize (UnauthorizedError): check state, then hand v1 the code — all its finishAuth takes. */
async function completeAuthorization(transport: StreamableHTTPClientTransport, provider: InMemoryV1Provider, callback: Promise<URLSearchParams> | undefined): Promise<void> {
    if (callback === undefined) throw new Error('v1 asked for authorization, but no callback was awaited');
    const params = await callback;
    if (!provider.stateMatches(params)) throw new Error('the callback state does not match the pending authorization');
    const code = params.get('code');
    if (code === null) throw new Error('the callback carries no code');
    await transport.finishAuth(code);
}

function newConnection(serverUrl: URL, provider: InMemoryV1Provider) {
    return {
        client: new Client({ name: 'scoped-tools-v1-example', version: '1.0.0' }),
        transport: new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: recordingFetch })
    };
}

/** Connects; on UnauthorizedError completes the authorization and connects anew (a v1 transport starts once). */
async function connect(serverUrl: URL, provider: InMemoryV1Provider): Promise<Client> {
    const first = newConnection(serverUrl, provider);
    const { result, callback } = await withCallback(() => first.client.connect(first.transport).then(
        () => true,
        (error: unknown) => {
            if (error instanceof UnauthorizedError) return false;
            throw error;
        }
    ));
    if (result) return first.client;
    await completeAuthorization(first.transport, provider, callback);
    const authorized = newConnection(serverUrl, provider);
    await authorized.client.connect(authorized.transport);
    return authorized.client;
}

async function callOnce(client: Client, name: string, args: Record<string, unknown>): Promise<Outcome> {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as Array<{ text?: string }>).map((block) => block.text ?? '').join('\n');
    return result.isError ? { ok: false, error: `tool error: ${text}` } : { ok: true, text };
}

/** Calls `name`; if v1 sends the user to /authorize meanwhile, completes that and retries once, as a v1 host does. */
async function callTool(client: Client, provider: InMemoryV1Provider, name: string, args: Record<string, unknown> = {}): Promise<Outcome> {
    const { result, callback } = await withCallback(() => callOnce(client, name, args).then((outcome) => ({ outcome }), (error: unknown) => ({ error })));
    if ('outcome' in result) return result.outcome;
    if (!(result.error instanceof UnauthorizedError)) return { ok: false, error: describeError(result.error) };
    await completeAuthorization(client.transport as StreamableHTTPClientTransport, provider, callback);
    return callOnce(client, name, args).catch((error: unknown) => ({ ok: false, error: describeError(error) }));
}

// ─── The story, the probe, and the facts ──────────────────────────────────────

/** The installed v1 SDK's name and version, from its package.json (its `exports` do not expose that file). */
function sdkVersion(): string {
    let dir = dirname(createRequire(import.meta.url).resolve(`${SDK_PACKAGE}/client/index.js`));
    while (dir !== dirname(dir)) {
        const manifest = join(dir, 'package.json');
        const parsed = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string }) : {};
        if (parsed.name === SDK_PACKAGE) return `${SDK_PACKAGE} ${parsed.version}`;
        dir = dirname(dir);
    }
    return SDK_PACKAGE;
}

/** Runs one step and returns what the SDK did during it, with the scope held afterwards. */
async function step(provider: InMemoryV1Provider, run: () => Promise<Outcome>): Promise<StepFacts> {
    observed = { challenges: [], authorizeScopes: [], tokenRequests: [] };
    const outcome = await run();
    return { outcome, ...observed, tokenScope: provider.heldScope() };
}

async function runStory(serverUrl: URL, callbackUrl: URL, keepRefreshTokens: boolean): Promise<StoryFacts> {
    const provider = new InMemoryV1Provider(callbackUrl, { keepRefreshTokens });
    let client: Client | undefined;
    const connectStep = await step(provider, async () => {
        client = await connect(serverUrl, provider);
        return { ok: true, text: `connected to ${client.getServerVersion()?.name ?? 'the server'}` };
    });
    const connected = client!;
    const listFiles = await step(provider, () => callTool(connected, provider, 'list-files'));
    const writeFile = await step(provider, () => callTool(connected, provider, 'write-file', { name: 'v1-story.txt', content: 'written by the v1 SDK client' }));
    const listFilesAgain = await step(provider, () => callTool(connected, provider, 'list-files'));
    const protocolVersion = (connected.transport as StreamableHTTPClientTransport).protocolVersion ?? null;
    await connected.close();
    const issProbe = await probeIss(serverUrl, callbackUrl, provider.registration());
    return {
        sdk: sdkVersion(),
        variant: keepRefreshTokens ? 'refresh token kept' : 'no refresh token kept',
        protocolVersion,
        clientId: provider.registration()?.client_id ?? null,
        steps: { connect: connectStep, listFiles, writeFile, listFilesAgain },
        issProbe
    };
}

/**
 * RFC 9207 probe: a fresh authorization (same registration, no tokens) whose callback says
 * `iss=WRONG_ISS`. A client that checks `iss` refuses the response and never redeems the code.
 */
async function probeIss(serverUrl: URL, callbackUrl: URL, registration: OAuthClientInformationMixed | undefined): Promise<StoryFacts['issProbe']> {
    const provider = new InMemoryV1Provider(callbackUrl, { keepRefreshTokens: false, tamperIss: WRONG_ISS, registration });
    const probe = await step(provider, async () => {
        try {
            await (await connect(serverUrl, provider)).close();
            return { ok: true, text: 'connected with the token from the tampered response' };
        } catch (error) {
            return { ok: false, error: describeError(error) };
        }
    });
    const codeRedeemed = probe.tokenRequests.some((request) => request.grantType === 'authorization_code' && request.status === 200);
    return { sentIss: WRONG_ISS, outcome: probe.outcome, codeRedeemed };
}

// ─── Output ───────────────────────────────────────────────────────────────────

/** Colour only on a terminal, and never when NO_COLOR is set: logs, pipes and tests read plain text. */
const colour = (code: number) => (text: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[${code}m${text}\u001b[0m` : text);
const paint = { bold: colour(1), red: colour(31), green: colour(32) };

const quoted = (value: string | null | undefined) => (value === null || value === undefined ? '(none)' : `"${value}"`);

function stepLines(label: string, facts: StepFacts): string[] {
    const lines = [`${label} ${facts.outcome.ok ? `✓ ${facts.outcome.text.split('\n')[0]}` : `✗ ${facts.outcome.error}`}`];
    for (const challenge of facts.challenges) lines.push(`   RS answered ${challenge.status}${challenge.error ? ` ${challenge.error}` : ''}, scope ${quoted(challenge.scope)}`);
    for (const scope of facts.authorizeScopes) lines.push(`   v1 opened /authorize with scope ${quoted(scope)}`);
    for (const request of facts.tokenRequests) lines.push(`   token request grant_type=${request.grantType} → ${request.status}${request.scope !== undefined ? `, granted ${quoted(request.scope)}` : ''}`);
    lines.push(`   token holds ${quoted(facts.tokenScope)}`);
    return lines;
}

function printFacts(facts: StoryFacts, serverUrl: URL): void {
    const { steps, issProbe } = facts;
    const lines = [
        paint.bold(`The scoped-tools story on ${facts.sdk} (${facts.variant}) against ${serverUrl.href}`),
        `client_id ${facts.clientId}, protocol ${facts.protocolVersion ?? '(unknown)'}`,
        ...stepLines('1. connect', steps.connect),
        ...stepLines('2. list-files', steps.listFiles),
        ...stepLines('3. write-file', steps.writeFile),
        ...stepLines('4. list-files again', steps.listFilesAgain),
        `5. iss probe: a fresh authorization whose callback says iss "${issProbe.sentIss}"`,
        `   code redeemed: ${issProbe.codeRedeemed ? paint.red('yes — v1 never looked at iss') : paint.green('no')}`
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
}

// ─── The command line: a mistake is one line on stderr and exit 2 ─────────────

function usageError(message: string): never {
    process.stderr.write(`${PROGRAM}: ${message}\n`);
    process.exit(2);
}

/** The flags, each with its line of `--help`. */
const FLAGS = {
    server: { type: 'string', value: '<url>', usage: "the resource server's /mcp URL (required)" },
    json: { type: 'boolean', usage: 'print the facts observed as JSON' },
    'without-refresh-token': { type: 'boolean', usage: 'drop the refresh token the AS issues, to see the step-up without one' },
    help: { type: 'boolean', short: 'h', usage: 'print this text and exit' }
} as const;
const USAGE = [
    'usage: v1-sdk-client --server <url> [--json] [--without-refresh-token]',
    ...Object.entries(FLAGS).map(([name, flag]) => {
        const form = `--${name}${'value' in flag ? ` ${flag.value}` : ''}`;
        return `  ${form.padEnd(26)}  ${flag.usage}${flag.type === 'string' && 'default' in flag ? ` (default ${flag.default})` : ''}`;
    })
].join('\n');

function readCommandLine() {
    try {
        const { values } = parseArgs({ options: FLAGS, strict: true });
        if (values.help) (console.log(USAGE), process.exit(0));
        return values;
    } catch (error) {
        // Node's advice about `--` does not help here: the flag is wrong, and --help lists the right ones.
        usageError(`${error instanceof Error ? error.message.replace(/\. To specify .*/s, '') : 'invalid arguments'} (see --help)`);
    }
}

/** `--server` as an absolute http(s) URL. */
function serverUrlFrom(raw: string | undefined): URL {
    if (!raw) usageError('--server <url> is required');
    const url = URL.canParse(raw) ? new URL(raw) : undefined;
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) usageError('--server must be an absolute http(s) URL');
    return url;
}

async function main(): Promise<number> {
    const values = readCommandLine();
    const serverUrl = serverUrlFrom(values.server);
    const { server, origin } = await listenOnLoopback();
    try {
        const facts = await runStory(serverUrl, new URL(CALLBACK_PATH, origin), !values['without-refresh-token']);
        if (values.json) process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
        else printFacts(facts, serverUrl);
        return 0;
    } catch (error) {
        process.stderr.write(`${PROGRAM}: ${describeError(error)}\n`);
        return 1;
    } finally {
        server.closeAllConnections();
        server.close();
    }
}

process.exitCode = await main();
