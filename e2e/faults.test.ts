/**
 * Faults: the AS or the RS dies or restarts under a client that is using it.
 * Real processes on 127.0.0.1; every one a test starts is stopped after it,
 * also when it fails.
 *
 * - The RS restarts: the client's next call succeeds with its stored token,
 *   without asking the AS for anything.
 * - The AS restarts with a new signing key and no memory of the client. The
 *   decision (docs/benchmarks.md, "tokens signed by a vanished key"): the RS
 *   keeps accepting a token signed by the old key until it refreshes its key
 *   set — which the first token with an unknown key id triggers (at most once
 *   per second) — and refuses it from then on; no token outlives its exp. The
 *   client, refused, finds the AS no longer knows it (invalid_client on the
 *   refresh), says so in one line, registers again, re-authorizes and succeeds.
 * - The AS dies in the middle of a step-up (after consent, before the code
 *   is redeemed; or before the step-up can reach it): the client says in one
 *   line which server it cannot reach and exits 1.
 *
 * Those three share one stack, in that order: each restart replaces its
 * server in it, and the AS that dies last is the one the last restart started.
 * The death after consent has a stack of its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exited, startServer, type RunningServer } from '../support/spawn.ts';
import { openConsent, submitDecision } from './as-flow.ts';
import { eventually, OPEN_PREFIX, registeredClientId, startClient, type LiveClient } from './client-harness.ts';
import { asLinesBetween, markAsLog, runClient, startStack, tempDir } from './stack.ts';

/** demo-rs refetches the JWKS for an unknown key id at most this often (demo-rs/authorization-server.ts). */
const JWKS_COOLDOWN_MS = 1000;

const stores = tempDir('faults-');
const running: RunningServer[] = [];
const clients: LiveClient[] = [];

/** The stack the RS-restart, AS-restart and AS-dies-before-step-up tests share, in that order. */
let shared: { as: RunningServer; rs: RunningServer; mcpUrl: string };

beforeAll(async () => {
    const { as, rs, mcpUrl } = await startStack();
    shared = { as, rs, mcpUrl };
});
afterEach(async () => {
    for (const client of clients.splice(0)) if (client.child.exitCode === null) client.child.kill('SIGKILL');
    await Promise.all(running.splice(0).map((server) => server.stop()));
});
afterAll(async () => {
    await Promise.all([shared?.rs.stop(), shared?.as.stop()]);
    stores.remove();
});

async function stack() {
    const started = await startStack();
    running.push(started.as, started.rs);
    return { as: started.as, rs: started.rs, mcpUrl: started.mcpUrl };
}

/** Stops `server` and starts `entry` again on the same port, so every URL that named it stays valid. */
async function restart(server: RunningServer, entry: string, extraArgs: string[] = []): Promise<RunningServer> {
    await server.stop();
    return startServer(entry, ['--port', new URL(server.origin).port, ...extraArgs]);
}

async function kill(server: RunningServer): Promise<void> {
    server.child.kill('SIGKILL');
    await exited(server.child);
}

const storeFile = (name: string) => join(stores.path, `${name}-${Math.random()}.json`);

/** A headless `call <tool> [k=v …]` with its own token store. */
// Bearer tokens (--no-dpop): these tests replay the stored token as raw HTTP, which a DPoP-bound token would fail for another reason.
const call = (mcpUrl: string, store: string, tool: string, ...args: string[]) =>
    runClient(['call', tool, ...args, '--no-dpop', '--server', mcpUrl, '--headless', '--store', store]);

const callLines = (rs: RunningServer) => rs.stdout.filter((line) => line.startsWith('call '));
const registeredIds = (as: RunningServer) => as.stdout.flatMap((line) => /^register client_id=(\S+) status=201/.exec(line)?.[1] ?? []);

/** The access token the client keeps for `mcpUrl` in its store file (the store is meant to be read by people). */
function storedAccessToken(store: string, mcpUrl: string): string {
    const file = JSON.parse(readFileSync(store, 'utf8')) as { resources: Record<string, { tokens: Record<string, { access_token: string }> }> };
    const [tokens] = Object.values(file.resources[mcpUrl]!.tokens);
    return tokens!.access_token;
}

/** tools/call list-files with `token`, as raw HTTP: what the RS does with that token, and nothing else. */
async function listFilesWith(mcpUrl: string, token: string): Promise<{ status: number; challenge: string | null }> {
    const response = await fetch(mcpUrl, {
        method: 'POST',
        headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2025-11-25',
            authorization: `Bearer ${token}`
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } })
    });
    await response.body?.cancel();
    return { status: response.status, challenge: response.headers.get('www-authenticate') };
}

const signingKeyIds = async (issuer: string) => ((await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);

describe('the RS restarts', () => {
    it("the client's next call succeeds with its stored token, and the AS is not asked for anything", async () => {
        const { as, rs, mcpUrl } = shared;
        const store = storeFile('rs-restart');
        const first = await call(mcpUrl, store, 'list-files');
        expect(first.code).toBe(0);
        const clientId = registeredClientId(first.stdout);
        const asLinesBefore = await markAsLog(as);

        const restarted = (shared.rs = await restart(rs, 'demo-rs/main.ts', ['--issuer', as.origin]));
        const run = await call(mcpUrl, store, 'list-files');
        expect(run.code).toBe(0);
        expect(run.stderr).toBe('');
        expect(run.stdout.split('\n')[0]).toBe('· list-files ✓');
        await eventually(() => expect(callLines(restarted)).toEqual([`call tool=list-files client_id=${clientId} status=200`]));
        expect(asLinesBetween(as, asLinesBefore, await markAsLog(as))).toEqual([]);
    });
});

describe('the AS restarts with a new signing key and no memory of the client', () => {
    it('the RS refuses old-key tokens once it has seen the new key set; the client re-registers and re-authorizes, saying why', async () => {
        const { as, rs, mcpUrl } = shared;
        const storeA = storeFile('a');
        const first = await call(mcpUrl, storeA, 'list-files');
        expect(first.code).toBe(0);
        const firstId = registeredClientId(first.stdout);
        const oldToken = storedAccessToken(storeA, mcpUrl);
        const oldKeys = await signingKeyIds(as.origin);

        const restarted = (shared.as = await restart(as, 'demo-as/main.ts'));
        expect(await signingKeyIds(restarted.origin)).not.toEqual(oldKeys);

        // Nothing has told the RS yet that the key is gone: the token is still within its exp.
        expect((await listFilesWith(mcpUrl, oldToken)).status).toBe(200);

        // Another client's token names the new key; the RS refreshes its key set (past its refetch cooldown).
        await new Promise((resolve) => setTimeout(resolve, JWKS_COOLDOWN_MS + 100));
        expect((await call(mcpUrl, storeFile('b'), 'list-files')).code).toBe(0);
        const refused = await listFilesWith(mcpUrl, oldToken);
        expect(refused.status).toBe(401);
        expect(refused.challenge).toContain('error="invalid_token"');

        const recovery = await call(mcpUrl, storeA, 'list-files');
        expect(recovery.code).toBe(0);
        expect(recovery.stdout).toContain('→ 401: the token was not accepted (invalid_token)');
        expect(recovery.stdout).toContain('Token request (refresh_token) → HTTP 400 invalid_client');
        const why = recovery.stdout.split('\n').filter((line) => line.includes('no longer knows this client'));
        expect(why).toEqual(['    the authorization server no longer knows this client (it may have restarted and forgotten it): registering again']);
        expect(recovery.stdout).toContain('list-files ✓');
        expect(recovery.stderr.split('\n')).toEqual([expect.stringContaining('warning: OAuth "invalid_client"')]);

        const [, secondId] = registeredIds(restarted);
        expect(secondId).toBeDefined();
        expect(secondId).not.toBe(firstId);
        expect(recovery.stdout).toContain(`Registration: client_id ${secondId}`);
        await eventually(() => expect(callLines(rs).at(-1)).toBe(`call tool=list-files client_id=${secondId} status=200`));
        expect(restarted.stdout).toContain('token grant_type=refresh_token client_id=- status=400 error=invalid_client');
    });
});

describe('the AS dies in the middle of a step-up', () => {
    it('after consent, before the code is redeemed: one line naming the unreachable AS, exit 1, nothing written', async () => {
        const { as, rs, mcpUrl } = await stack();
        const store = storeFile('mid-step-up');
        expect((await call(mcpUrl, store, 'list-files')).code).toBe(0);

        const client = startClient(['call', 'write-file', 'name=fault.txt', 'content=x', '--server', mcpUrl, '--interactive', '--no-open', '--store', store]);
        clients.push(client);
        const authorizationUrl = (await client.line(/^Open this URL in your browser: /)).slice(OPEN_PREFIX.length);
        expect(new URL(authorizationUrl).searchParams.get('scope')).toBe('files:read files:write');

        // Acting as the user's browser: load the consent page and approve; the AS answers with the callback redirect.
        const consent = await openConsent(authorizationUrl);
        const decision = await submitDecision(as.origin, consent, 'approve');
        const callback = decision.headers.get('location');
        expect(decision.status).toBe(302);
        await kill(as);
        await fetch(callback!);

        expect(await client.exit).toBe(1);
        expect(client.stderr).toEqual([`demo-client: cannot reach the authorization server ${as.origin} (ECONNREFUSED)`]);
        expect(callLines(rs).filter((line) => line.startsWith('call tool=write-file'))).toEqual([expect.stringMatching(/ status=403$/)]);
    });

    it('before the step-up reaches it: one line naming the unreachable AS, exit 1', async () => {
        const { as, rs, mcpUrl } = shared;
        const store = storeFile('before-step-up');
        expect((await call(mcpUrl, store, 'list-files')).code).toBe(0);
        await kill(as);

        const run = await call(mcpUrl, store, 'write-file', 'name=fault.txt', 'content=x');
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('write-file → 403 insufficient_scope');
        expect(run.stderr).toBe(`demo-client: cannot reach the authorization server ${as.origin} (ECONNREFUSED)`);
        expect(rs.child.exitCode).toBeNull();
    });
});

