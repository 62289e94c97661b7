/**
 * The smallest correct MCP client host that steps up with the scope union — a file to copy.
 *
 *   npx tsx examples/minimal-client.ts --server <resource server URL, e.g. http://127.0.0.1:3001/mcp> [--no-open]
 *
 * The SDK does the OAuth: the 401 → metadata discovery → registration → PKCE, and on a
 * `403 insufficient_scope` the step-up with the union of the held and the challenged scope
 * (SEP-2350; it skips the refresh grant, which cannot widen scope, RFC 6749 §6). What the host
 * supplies is what the SDK leaves to it, in numbered blocks below:
 *   1. a loopback callback listener that checks `state` and hands the whole query to
 *      `transport.finishAuth(new URLSearchParams(…))`, which checks `iss` (RFC 9207) first;
 *   2. an `OAuthClientProvider` that keeps the registration, the PKCE verifier and the tokens
 *      (here in memory: a copy keeps them where its user can see and delete them);
 *   3. the retry cap: the transport's `maxStepUpRetries` bounds one request, so the host gives each
 *      attempt of a call what is left of the call's budget, and stops after it.
 * It lists files, writes one (a step-up to files:write) and tries purge-files (files:admin, which
 * the demo authorization server never grants: one step-up, then it stops), checking each outcome.
 * demo-client adds on top: DPoP, a token store on disk, a headless consent, narration, `--trace`
 * (docs/build-your-own.md).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Client, InsufficientScopeError, StreamableHTTPClientTransport, UnauthorizedError, type OAuthClientProvider, type OAuthClientInformationMixed, type OAuthDiscoveryState, type OAuthTokens } from '@modelcontextprotocol/client';
import open from 'open';

/** The flags, each with its line of `--help`; a bad one is one line and exit 2, `--help` the usage and exit 0. */
const FLAGS = {
    server: { type: 'string', value: '<url>', usage: "the resource server's /mcp URL, e.g. http://127.0.0.1:3001/mcp (required)" },
    'no-open': { type: 'boolean', default: false, usage: 'print the consent URL, open no browser' },
    help: { type: 'boolean', short: 'h', usage: 'print this text and exit' }
} as const;
const USAGE = [
    'usage: minimal-client --server <url> [--no-open]',
    ...Object.entries(FLAGS).map(([name, flag]) => {
        const form = `--${name}${'value' in flag ? ` ${flag.value}` : ''}`;
        return `  ${form.padEnd(14)}  ${flag.usage}${flag.type === 'string' && 'default' in flag ? ` (default ${flag.default})` : ''}`;
    })
].join('\n');
function commandLine() {
    try {
        const { values } = parseArgs({ options: FLAGS });
        if (values.help) (console.log(USAGE), process.exit(0));
        if (!values.server || !URL.canParse(values.server)) throw new Error('--server <url> is required: the resource server\'s /mcp URL');
        return { serverUrl: new URL(values.server), openBrowser: !values['no-open'] };
    } catch (error) {
        console.error(`minimal-client: ${(error as Error).message.replace(/\. To specify .*/s, '')} (see --help)`);
        process.exit(2);
    }
}
const { serverUrl, openBrowser } = commandLine();
/** Step-ups one tool call may cause before the host gives up (the SDK's default per request is 1 too). */
const MAX_STEP_UPS_PER_CALL = 1;
// End of prerequisites.

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
    clientMetadata: { client_name: 'minimal step-up client', redirect_uris: [redirectUrl], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
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
        console.log(`authorize: scope "${url.searchParams.get('scope') ?? ''}"`);
        console.log(`Open this URL in your browser: ${url.href}`);
        if (openBrowser) await open(url.href).catch(() => {});
    }
};

// 3. A tool call with step-up, bounded per call.
type Outcome = { ok: true; text: string } | { ok: false; requiredScope?: string };

async function callTool(name: string, args: Record<string, unknown> = {}): Promise<Outcome> {
    let stepUps = 0;
    for (let attempt = 0; attempt < 2 + MAX_STEP_UPS_PER_CALL; attempt++) {
        const left = MAX_STEP_UPS_PER_CALL - stepUps;
        const stepUp = left > 0 ? { onInsufficientScope: 'reauthorize' as const, maxStepUpRetries: left } : { onInsufficientScope: 'throw' as const };
        const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, ...stepUp });
        const client = new Client({ name: 'minimal step-up client', version: '0.1.0' });
        let connected = false;
        try {
            await client.connect(transport);
            connected = true;
            const result = await client.callTool({ name, arguments: args });
            const text = (result.content as Array<{ type: string; text?: string }>).map((block) => block.text ?? '').join(' ').replaceAll('\n', '; ');
            return result.isError ? { ok: false } : { ok: true, text };
        } catch (error) {
            // The SDK started an authorization (a login, or a step-up with the union) and needs the user.
            if (error instanceof UnauthorizedError && callback) {
                if (connected) stepUps++;
                const params = await callback;
                callback = undefined;
                await transport.finishAuth(params); // RFC 9207: iss is checked before the code is redeemed
                continue;
            }
            // No step-up left for this call: the 403's challenge says what was missing.
            if (error instanceof InsufficientScopeError) return { ok: false, requiredScope: error.requiredScope };
            throw error;
        } finally {
            await client.close();
        }
    }
    throw new Error(`${name}: still unauthorized after signing in; giving up`);
}

/** Each step of the story, checked: the example is its own smoke test. */
function expect(condition: boolean, line: string): void {
    console.log(`${condition ? '✓' : '✗'} ${line}`);
    if (!condition) process.exitCode = 1;
}

try {
    const listed = await callTool('list-files');
    expect(listed.ok, `list-files: ${listed.ok ? listed.text : 'refused'}`);
    const written = await callTool('write-file', { name: 'minimal.txt', content: 'written after a step-up' });
    expect(written.ok && memory.tokens?.scope?.split(' ').includes('files:write') === true, `write-file after a step-up; the token holds "${memory.tokens?.scope ?? ''}"`);
    const purged = await callTool('purge-files');
    expect(!purged.ok && purged.requiredScope === 'files:admin', `purge-files refused after ${MAX_STEP_UPS_PER_CALL} step-up: it needs "${purged.ok ? '' : purged.requiredScope}", never granted`);
} catch (error) {
    console.error(`minimal-client: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
} finally {
    listener.close();
}
