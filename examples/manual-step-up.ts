/**
 * A host that drives SEP-2350 step-up itself instead of letting the transport do it.
 *
 *   npx tsx examples/manual-step-up.ts --server <RS /mcp url> [--headless|--interactive]
 *
 * The transport runs with `onInsufficientScope: 'throw'`, so a 403
 * insufficient_scope arrives as an InsufficientScopeError and every decision
 * is the host's, printed as it is made:
 *   - the scope to ask for: `computeScopeUnion(held, required)`, so the new token keeps
 *     what the old one could do;
 *   - refresh or fresh authorization: `isStrictScopeSuperset(union, held)` — a refresh
 *     cannot widen scope (RFC 6749 §6), so a strict superset means
 *     `auth({ forceReauthorization: true })`;
 *   - when to stop: this host allows one step-up per call.
 * It calls write-file (step-up to files:write, then ✓) and purge-files (one
 * step-up, still refused, stop) and exits 0 when both went that way.
 *
 * The OAuth plumbing — provider, loopback callback, consent in a browser or
 * headless — is demo-client's, imported so this file can stay on the decisions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    auth,
    Client,
    computeScopeUnion,
    InsufficientScopeError,
    isStrictScopeSuperset,
    StreamableHTTPClientTransport,
    UnauthorizedError,
    type CallToolResult
} from '@modelcontextprotocol/client';
import { parseCommandLine, parseHttpUrl } from '../support/args.ts';
import { Authorizer } from '../demo-client/authorizer.ts';
import { CallbackListener } from '../demo-client/callback-listener.ts';
import { describeFailure } from '../demo-client/failures.ts';
import { StoryOAuthProvider } from '../demo-client/oauth-provider.ts';
import { chooseHeadless } from '../demo-client/options.ts';
import { showScope, showUrl } from '../demo-client/plain-text.ts';
import { TokenStore } from '../demo-client/token-store.ts';

const MAX_STEP_UPS_PER_CALL = 1;

const { values } = parseCommandLine('manual-step-up', { server: { type: 'string' }, headless: { type: 'boolean' }, interactive: { type: 'boolean' } });
const server = parseHttpUrl('manual-step-up', '--server', values.server);
const say = (line: string) => console.log(line);
const decide = (line: string) => console.log(`    decision: ${line}`);

const storeDir = mkdtempSync(join(tmpdir(), 'manual-step-up-'));
const listener = await CallbackListener.start(undefined, {
    rejected: (reason, repeated) => repeated || console.error(`ignored a callback: ${reason}`),
    repeated: (reason, count) => console.error(`ignored ${count} more callbacks: ${reason}`)
});
const provider = new StoryOAuthProvider(TokenStore.open(join(storeDir, 'client.json'), console.error), server.href, listener);
const authorizer = new Authorizer(listener, {
    headless: chooseHeadless(values, process.env, process.platform),
    openBrowser: true,
    authTimeoutMs: 300_000,
    onEvent: (event) => say(event.kind === 'headless-approved' ? '    headless: approved the consent page as the user' : '    headless: redirected back without a consent page'),
    print: say,
    warn: console.error
});

/** Consent, callback, then `finishAuth` with the whole query (iss is checked there). */
async function completeAuthorization(transport: StreamableHTTPClientTransport): Promise<void> {
    const request = provider.takeAuthorizationRequest();
    if (!request) throw new Error('no authorization was started');
    say(`    consent for ${showScope(request.scope)}`);
    await transport.finishAuth(await authorizer.complete(request));
    say(`    token now holds ${showScope(provider.tokens()?.scope)}`);
}

/** A connected client whose transport throws on 403 insufficient_scope instead of stepping up. */
async function connect(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    for (;;) {
        const transport = new StreamableHTTPClientTransport(server, { authProvider: provider, onInsufficientScope: 'throw' });
        const client = new Client({ name: 'manual-step-up example', version: '0.1.0' });
        try {
            await client.connect(transport);
            return { client, transport };
        } catch (error) {
            if (!(error instanceof UnauthorizedError)) throw error;
            say('· connect → 401: first authorization');
            await completeAuthorization(transport);
        }
    }
}

/** Calls `name`; on InsufficientScopeError decides the step-up itself, at most MAX_STEP_UPS_PER_CALL times. */
async function callWithManualStepUp(session: { client: Client; transport: StreamableHTTPClientTransport }, name: string, args: Record<string, unknown>): Promise<CallToolResult | undefined> {
    for (let stepUps = 0; ; stepUps++) {
        try {
            return (await session.client.callTool({ name, arguments: args })) as CallToolResult;
        } catch (error) {
            if (!(error instanceof InsufficientScopeError)) throw error;
            const held = provider.tokens()?.scope;
            say(`· ${name} → InsufficientScopeError: required ${showScope(error.requiredScope)}, resource metadata ${showUrl(error.resourceMetadataUrl)}`);
            if (stepUps >= MAX_STEP_UPS_PER_CALL) {
                decide(`${stepUps} step-up already made for this call (limit ${MAX_STEP_UPS_PER_CALL}); stop — the token holds ${showScope(held)}`);
                return undefined;
            }
            const union = computeScopeUnion(held, error.requiredScope);
            decide(`computeScopeUnion(held ${showScope(held)}, required ${showScope(error.requiredScope)}) = ${showScope(union)}`);
            const forceReauthorization = isStrictScopeSuperset(union, held);
            decide(
                forceReauthorization
                    ? 'isStrictScopeSuperset(union, held) = true → forceReauthorization: true (a refresh cannot widen scope)'
                    : 'isStrictScopeSuperset(union, held) = false → the refresh grant may serve'
            );
            const result = await auth(provider, { serverUrl: server, scope: union, resourceMetadataUrl: error.resourceMetadataUrl, forceReauthorization });
            say(`    auth() → ${result}`);
            if (result === 'REDIRECT') await completeAuthorization(session.transport);
        }
    }
}

async function main(): Promise<number> {
    say(`manual step-up against ${showUrl(server)} (onInsufficientScope: 'throw')`);
    const session = await connect();
    try {
        const written = await callWithManualStepUp(session, 'write-file', { name: 'manual.txt', content: 'written after a manual step-up' });
        say(written && !written.isError ? '· write-file ✓' : '· write-file did not succeed');
        const purged = await callWithManualStepUp(session, 'purge-files', {});
        say(purged ? '· purge-files was allowed (unexpected: the demo AS never grants files:admin)' : '· purge-files stays refused, as expected');
        return written && !written.isError && !purged ? 0 : 1;
    } finally {
        await session.client.close();
    }
}

try {
    process.exitCode = await main();
} catch (error) {
    console.error(`manual-step-up: ${describeFailure(error)}`);
    process.exitCode = 1;
} finally {
    await listener.close();
    rmSync(storeDir, { recursive: true, force: true });
}
