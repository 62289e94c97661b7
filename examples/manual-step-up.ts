/**
 * A host that drives SEP-2350 step-up itself instead of letting the transport do it — a file to copy.
 *
 *   npx tsx examples/manual-step-up.ts --server <resource server URL, e.g. http://127.0.0.1:3001/mcp> [--no-open]
 *
 * The transport runs with `onInsufficientScope: 'throw'`, so a 403 insufficient_scope arrives as
 * an InsufficientScopeError and every decision is the host's, printed as it is made:
 *   - the scope to ask for: `computeScopeUnion(held, required)`, so the new token keeps what the
 *     old one could do;
 *   - refresh or fresh authorization: `isStrictScopeSuperset(union, held)` — a refresh cannot
 *     widen scope (RFC 6749 §6), so a strict superset means `auth({ forceReauthorization: true })`;
 *   - when to stop: this host allows one step-up per call.
 * It calls write-file (a step-up to files:write, then ✓) and purge-files (files:admin, which the
 * demo authorization server never grants: one step-up, still refused, stop) and exits 0 when both
 * went that way. The OAuth plumbing is the same as examples/minimal-client.ts's, block for block
 * (a loopback callback listener, an in-memory OAuthClientProvider), so the two read side by side:
 * what differs is who decides the step-up.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import {
    auth,
    Client,
    computeScopeUnion,
    InsufficientScopeError,
    IssuerMismatchError,
    isStrictScopeSuperset,
    StreamableHTTPClientTransport,
    UnauthorizedError,
    type CallToolResult,
    type OAuthClientInformationMixed,
    type OAuthClientProvider,
    type OAuthDiscoveryState,
    type OAuthTokens
} from '@modelcontextprotocol/client';
import open from 'open';

/** The flags, each with its line of `--help`. */
const FLAGS = {
    server: { type: 'string', value: '<url>', usage: "the resource server's /mcp URL, e.g. http://127.0.0.1:3001/mcp (required)" },
    'no-open': { type: 'boolean', usage: 'print the consent URL only' },
    help: { type: 'boolean', short: 'h', usage: 'print this text and exit' }
} as const;
const USAGE = [
    'usage: manual-step-up --server <url> [--no-open]',
    ...Object.entries(FLAGS).map(([name, flag]) => {
        const form = `--${name}${'value' in flag ? ` ${flag.value}` : ''}`;
        return `  ${form.padEnd(14)}  ${flag.usage}${flag.type === 'string' && 'default' in flag ? ` (default ${flag.default})` : ''}`;
    })
].join('\n');

/** The command line; a mistake is one line on stderr and exit 2, `--help` the usage and exit 0. */
function readCommandLine(): { serverUrl: URL; openBrowser: boolean } {
    try {
        const { values } = parseArgs({ options: FLAGS });
        if (values.help) (console.log(USAGE), process.exit(0));
        if (!values.server || !URL.canParse(values.server) || !/^https?:$/.test(new URL(values.server).protocol)) throw new Error('--server must be an absolute http(s) URL');
        return { serverUrl: new URL(values.server), openBrowser: !values['no-open'] };
    } catch (error) {
        console.error(`manual-step-up: ${(error as Error).message.replace(/\. To specify .*/s, '')} (see --help)`);
        process.exit(2);
    }
}

const { serverUrl, openBrowser } = readCommandLine();
/** Step-ups one tool call may cause before the host gives up. */
const MAX_STEP_UPS_PER_CALL = 1;
// End of prerequisites.

const say = (line: string) => console.log(line);
const decide = (line: string) => console.log(`    decision: ${line}`);
/** A scope as the server sent it, JSON-quoted so that no server byte reaches the terminal raw. */
const quoted = (scope: string | undefined) => (scope ? JSON.stringify(scope) : '(none)');

// 1. The loopback callback listener: 127.0.0.1 only, a port the OS picks (RFC 8252 §7.3).
let expected: { state: string; deliver: (params: URLSearchParams) => void } | undefined;
const listener = createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    // RFC 6749 §10.12: only the callback of the authorization this client started, once.
    if (!expected || params.get('state') !== expected.state) {
        res.writeHead(400).end('This callback matches no pending authorization.');
        return;
    }
    expected.deliver(params);
    expected = undefined;
    res.end('Authorized. You can close this tab.');
});
await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
const redirectUrl = `http://127.0.0.1:${(listener.address() as { port: number }).port}/callback`;

// 2. The OAuth provider the SDK drives: what it registers as, and where it keeps what it learns.
let callback: Promise<URLSearchParams> | undefined;
const memory: { client?: OAuthClientInformationMixed; tokens?: OAuthTokens; verifier?: string; state?: string; discovery?: OAuthDiscoveryState } = {};
const provider: OAuthClientProvider = {
    redirectUrl,
    clientMetadata: { client_name: 'manual step-up example', redirect_uris: [redirectUrl], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
    state: () => (memory.state = randomBytes(16).toString('base64url')),
    clientInformation: () => memory.client,
    saveClientInformation: (client) => void (memory.client = client),
    tokens: () => memory.tokens,
    saveTokens: (tokens) => void (memory.tokens = tokens),
    saveCodeVerifier: (verifier) => void (memory.verifier = verifier),
    codeVerifier: () => memory.verifier ?? '',
    // SEP-2352: the AS the code was asked from, kept with the verifier, so the callback is redeemed there only.
    saveDiscoveryState: (state) => void (memory.discovery = state),
    discoveryState: () => memory.discovery,
    async redirectToAuthorization(url) {
        const state = url.searchParams.get('state') ?? '';
        callback = new Promise((deliver) => (expected = { state, deliver }));
        say(`    consent for ${quoted(url.searchParams.get('scope') ?? undefined)}`);
        say(`Open this URL in your browser: ${url.href}`);
        if (openBrowser) await open(url.href).catch(() => {});
    }
};

// 3. Completing an authorization the SDK started: the user's consent arrives at the listener.
async function completeAuthorization(transport: StreamableHTTPClientTransport): Promise<void> {
    if (!callback) throw new Error('no authorization was started');
    const params = await callback;
    callback = undefined;
    await transport.finishAuth(params); // RFC 9207: iss is checked before the code is redeemed
    say(`    token now holds ${quoted(memory.tokens?.scope)}`);
}

type Session = { client: Client; transport: StreamableHTTPClientTransport };

/** A connected client whose transport throws on 403 insufficient_scope instead of stepping up. */
async function connect(): Promise<Session> {
    say('· connect (a 401 starts the first authorization)');
    for (;;) {
        const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, onInsufficientScope: 'throw' });
        const client = new Client({ name: 'manual-step-up example', version: '0.1.0' });
        try {
            await client.connect(transport);
            return { client, transport };
        } catch (error) {
            if (!(error instanceof UnauthorizedError && callback)) throw error;
            await completeAuthorization(transport);
        }
    }
}

// 4. The step-up, decided by the host: the union, refresh or not, and when to stop.
async function callWithManualStepUp(session: Session, name: string, args: Record<string, unknown>): Promise<CallToolResult | undefined> {
    for (let stepUps = 0; ; stepUps++) {
        try {
            return (await session.client.callTool({ name, arguments: args })) as CallToolResult;
        } catch (error) {
            if (!(error instanceof InsufficientScopeError)) throw error;
            const held = memory.tokens?.scope;
            say(`· ${name} → InsufficientScopeError: required ${quoted(error.requiredScope)}, resource metadata ${error.resourceMetadataUrl?.href ?? '(none)'}`);
            if (stepUps >= MAX_STEP_UPS_PER_CALL) {
                decide(`${stepUps} step-up already made for this call (limit ${MAX_STEP_UPS_PER_CALL}); stop — the token holds ${quoted(held)}`);
                return undefined;
            }
            const union = computeScopeUnion(held, error.requiredScope);
            decide(`computeScopeUnion(held ${quoted(held)}, required ${quoted(error.requiredScope)}) = ${quoted(union)}`);
            const forceReauthorization = isStrictScopeSuperset(union, held);
            decide(
                forceReauthorization
                    ? 'isStrictScopeSuperset(union, held) = true → forceReauthorization: true (a refresh cannot widen scope)'
                    : 'isStrictScopeSuperset(union, held) = false → the refresh grant may serve'
            );
            const result = await auth(provider, { serverUrl, scope: union, resourceMetadataUrl: error.resourceMetadataUrl, forceReauthorization });
            say(`    auth() → ${result}`);
            if (result === 'REDIRECT') await completeAuthorization(session.transport);
        }
    }
}

/** A failure in one line; a mismatched `iss` is never shown, it is an attacker's text (RFC 9207, SEP-2468). */
function describeFailure(error: unknown): string {
    if (error instanceof IssuerMismatchError) return `refused the authorization response: it does not come from ${JSON.stringify(error.expected ?? '(unknown)')} (RFC 9207)`;
    if (error instanceof TypeError && error.message === 'fetch failed') return `cannot reach ${serverUrl.href}`;
    // Server text may hold terminal escapes: controls become spaces, one line, capped.
    return (error instanceof Error ? error.message : String(error)).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 200);
}

say(`manual step-up against ${serverUrl.href} (onInsufficientScope: 'throw')`);
try {
    const session = await connect();
    try {
        const written = await callWithManualStepUp(session, 'write-file', { name: 'manual.txt', content: 'written after a manual step-up' });
        const wrote = written !== undefined && !written.isError;
        say(wrote ? '· write-file ✓' : '· write-file ✗ did not succeed');
        const purged = await callWithManualStepUp(session, 'purge-files', {});
        say(purged ? '· purge-files ✗ was allowed (unexpected: the demo AS never grants files:admin)' : '· purge-files stays refused, as expected ✓');
        process.exitCode = wrote && !purged ? 0 : 1;
    } finally {
        await session.client.close();
    }
} catch (error) {
    console.error(`manual-step-up: ${describeFailure(error)}`);
    process.exitCode = 1;
} finally {
    listener.close();
    listener.closeAllConnections(); // a browser's keep-alive connection must not hold the exit
}
