/**
 * The authorization-server leg: the suite acts as an OAuth client of the real
 * demo AS. It reads the AS metadata, then builds an authorization request and
 * prints the URL for a person to open. Here that person is played the way the
 * demo client's --headless mode plays one: load the consent page, keep its
 * cookie, submit its hidden inputs with decision=approve, and follow the 302
 * to the suite's callback listener — nowhere else.
 *
 * Beforehand the client the suite acts as is registered with DCR for the
 * suite's loopback callback, and the demo RS is started so that the token's
 * audience (`--resource`) is a real resource server's URL.
 */
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadlessUserAgent } from '../demo-client/headless-user-agent.ts';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { judge, type ExpectedFailure } from './expected-failures.ts';
import { findResultDir, readChecks, type ScenarioResult } from './results.ts';
import { runSuite, type SuiteCli } from './suite-cli.ts';

export const AUTHORIZATION_SCENARIOS = ['authorization-server-metadata-endpoint', 'authorization-code-grant'] as const;

const GROUP = 'authorization server';
const RUN_TIMEOUT_MS = 90_000;
const APPROVAL_TIMEOUT_MS = 15_000;

/** A free loopback port for the suite's callback listener (the suite binds it itself, by number). */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.once('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const { port } = probe.address() as { port: number };
            probe.close(() => resolve(port));
        });
    });
}

/** RFC 7591 registration of a public client for `redirectUri`, at the endpoint the AS metadata names. */
async function registerClient(issuer: string, redirectUri: string): Promise<string> {
    const metadata = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as { registration_endpoint?: string };
    if (!metadata.registration_endpoint) throw new Error('the demo AS metadata names no registration_endpoint');
    const response = await fetch(metadata.registration_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
            client_name: 'MCP conformance suite',
            redirect_uris: [redirectUri],
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code'],
            response_types: ['code']
        })
    });
    const body = (await response.json()) as { client_id?: string };
    if (response.status !== 201 || !body.client_id) throw new Error(`registration at the demo AS failed with HTTP ${response.status}`);
    return body.client_id;
}

/** Starts demo-as, then demo-rs trusting it; stops what started if the second fails. */
async function startServers(): Promise<{ as: RunningServer; rs: RunningServer }> {
    const as = await startServer('demo-as/main.ts', ['--port', '0']);
    try {
        return { as, rs: await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin]) };
    } catch (error) {
        await as.stop();
        throw error;
    }
}

/** Runs both authorization scenarios against a fresh demo AS (the second reads what the first fetched). */
export async function runAuthorizationLeg(cli: SuiteCli, resultsRoot: string, baseline: ExpectedFailure[]): Promise<ScenarioResult[]> {
    const outputDir = join(resultsRoot, 'authorization');
    mkdirSync(outputDir, { recursive: true });
    const started = Date.now();
    const { as, rs } = await startServers();
    const approval = { failure: undefined as string | undefined, done: Promise.resolve() };
    try {
        const port = await freePort();
        const callback = `http://127.0.0.1:${port}/callback`;
        const clientId = await registerClient(as.origin, callback);
        const abort = new AbortController();
        const approve = (url: URL) =>
            new HeadlessUserAgent(callback, AbortSignal.timeout(APPROVAL_TIMEOUT_MS)).approve(url, () => {}).catch((error: Error) => {
                approval.failure = `approving the consent page failed: ${error.message}`;
                abort.abort();
            });
        let pending: URL | undefined;
        let listening = false;
        const args = ['authorization', '--url', as.origin, '--client-id', clientId, '--resource', `${rs.origin}/mcp`, '-p', String(port), '-o', outputDir];
        await runSuite(cli, args, {
            logFile: join(outputDir, 'suite.log'),
            timeoutMs: RUN_TIMEOUT_MS,
            signal: abort.signal,
            // The suite prints the authorization URL on a line of its own (only one on our AS is opened), and
            // only then starts its callback listener: the consent is approved once both lines are there, or
            // the callback could arrive before anything listens for it.
            onLine: (line) => {
                if (line.startsWith(`${as.origin}/authorize?`)) pending = new URL(line);
                if (line.startsWith('Callback server started')) listening = true;
                if (pending && listening) {
                    approval.done = approve(pending);
                    pending = undefined;
                }
            }
        });
        await approval.done;
    } finally {
        writeFileSync(join(outputDir, 'demo-as.log'), `${as.stdout.join('\n')}\n`);
        await Promise.all([rs.stop(), as.stop()]);
    }
    const seconds = (Date.now() - started) / 1000;
    return AUTHORIZATION_SCENARIOS.map((scenario) => {
        const resultDir = findResultDir(outputDir, scenario, 'authorization-server-');
        const checks = readChecks(resultDir, approval.failure ?? 'the suite saved no checks for this scenario');
        return { group: GROUP, scenario, scored: true, verdict: judge(scenario, checks, baseline), seconds, resultDir };
    });
}
