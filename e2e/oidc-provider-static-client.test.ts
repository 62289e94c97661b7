/**
 * The client with a client the administrator registered, against a real
 * authorization server: panva's oidc-provider (pinned, fetched on demand)
 * started with two static clients — one public, one confidential with its
 * secret from the environment — whose only redirect URI is
 * http://127.0.0.1:<port>/callback, compared exactly, port included. The
 * client runs `--client-id <id> --callback-port <port> --interactive`; a
 * person signs in and consents in Chromium (e2e/browser-person.ts).
 * - the public client runs the whole story, and no request reaches the
 *   provider's registration endpoint;
 * - the confidential client authenticates with client_secret_basic, and its
 *   secret appears nowhere: not on stdout or stderr, not in the trace, not
 *   in the token store, not in the environment of the browser it opens;
 * - the confidential client without DEMO_CLIENT_SECRET is refused at the
 *   token endpoint, and the line says what to set.
 *
 * Without Chromium or the fetched provider these tests are skipped with the
 * reason — except in CI (CI set), where either missing is a failure.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { PROVIDER_PACKAGE, locateProvider } from '../real-as/provider-package.ts';
import { startProviderStack, type ProviderStack } from '../real-as/provider-stack.ts';
import { freeLoopbackPort } from '../support/serve.ts';
import { personAtTheBrowser, type Credentials } from './browser-person.ts';
import { prepareBrowserStory } from './chromium.ts';
import { runClient, tempDir } from './stack.ts';

const PUBLIC_CLIENT = 'mcp-demo-public';
const CONFIDENTIAL_CLIENT = 'mcp-demo-confidential';
const SECRET = randomBytes(24).toString('base64url');
/** Any name and password: the provider's development sign-in page accepts them. */
const PERSON: Credentials = { userField: 'input[name=login]', user: 'demo-user', password: 'any password' };
const inCi = Boolean(process.env.CI);
const work = tempDir('oidc-provider-static-client-');

let missing: string | undefined;
let context: BrowserContext | undefined;
let stack: ProviderStack | undefined;
let port: number;

beforeAll(async () => {
    ({ found: stack, context, missing } = await prepareBrowserStory('oidc-provider-static-client', join(work.path, 'profile'), async () => {
        port = await freeLoopbackPort();
        return startProviderStack(await locateProvider(), { staticClients: { port, publicId: PUBLIC_CLIENT, confidential: { id: CONFIDENTIAL_CLIENT, secret: SECRET } } });
    }));
}, 320_000);

afterAll(async () => {
    await context?.close();
    await stack?.stop();
    work.remove();
});

/** Runs the client with `args` as a person at the browser would, with the given environment. */
async function runAsPerson(test: TestContext, name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    if (!stack) test.skip(`${missing}`);
    let finish!: () => void;
    const person = personAtTheBrowser(context!, work.path, name, PERSON, new Promise<void>((resolve) => (finish = resolve)));
    const run = await runClient([...args, '--server', stack!.mcpUrl, '--interactive', '--callback-port', String(port), '--store', join(work.path, `${name}.json`)], {
        env: { ...person.env, ...env },
        timeoutMs: 120_000
    });
    finish();
    return { run, seen: await person.seen };
}

const registrationRequests = () => stack!.provider.stdout.filter((line) => line === 'registration request');

describe(missing && !inCi ? `a pre-registered client at oidc-provider — skipped: ${missing}` : `a pre-registered client at ${PROVIDER_PACKAGE}`, () => {
    it('--client-id (public) --callback-port: the whole story, and nothing reaches the registration endpoint', async (test) => {
        const { run, seen } = await runAsPerson(test, 'public', ['story', '--client-id', PUBLIC_CLIENT]);
        expect(seen.filter((page) => page.startsWith('failed'))).toEqual([]);
        expect(run.stderr.split('\n').filter(Boolean), run.stdout).toEqual([]);
        expect(run.code, run.stdout).toBe(0);
        expect(run.stdout).toContain(`Pre-registered client: client_id "${PUBLIC_CLIENT}" at "${stack!.provider.issuer}", no dynamic registration (RFC 7591)`);
        expect(run.stdout).not.toContain('Registration:');
        expect(run.stdout).toContain(`iss "${stack!.provider.issuer}" is the expected issuer ✓`);
        expect(run.stdout).toContain('write-file ✓');
        expect(run.stdout).toContain('The story went as expected.');
        expect(registrationRequests()).toEqual([]);
    }, 180_000);

    it('--client-id (confidential) with DEMO_CLIENT_SECRET: client_secret_basic, and the secret is never printed, traced or stored', async (test) => {
        const trace = join(work.path, 'confidential.md');
        const { run } = await runAsPerson(test, 'confidential', ['call', 'list-files', '--client-id', CONFIDENTIAL_CLIENT, '--trace', trace], { DEMO_CLIENT_SECRET: SECRET });
        expect(run.stderr, run.stdout).toBe('');
        expect(run.code, run.stdout).toBe(0);
        expect(run.stdout).toContain('its secret from DEMO_CLIENT_SECRET goes in HTTP Basic (client_secret_basic');
        expect(run.stdout).toContain('list-files ✓');
        // The browser the client opened (through xdg-open) did not inherit the secret either.
        const browserEnvironment = readFileSync(join(work.path, 'confidential.env'), 'utf8');
        expect(browserEnvironment).toContain('BROWSER=');
        const written = [run.stdout, run.stderr, readFileSync(trace, 'utf8'), readFileSync(join(work.path, 'confidential.json'), 'utf8'), browserEnvironment];
        const basic = Buffer.from(`${CONFIDENTIAL_CLIENT}:${SECRET}`).toString('base64');
        for (const text of written) {
            expect(text).not.toContain(SECRET);
            expect(text).not.toContain(basic);
        }
        // The trace shows that a credential went in HTTP Basic, as a label.
        expect(readFileSync(trace, 'utf8')).toMatch(/Authorization: Basic secret#1/);
        expect(readFileSync(trace, 'utf8')).toContain('pre-registered client: nothing registered (RFC 7591); token endpoint authentication client_secret_basic');
        expect(registrationRequests()).toEqual([]);
    }, 120_000);

    it('the confidential client without DEMO_CLIENT_SECRET: the token endpoint refuses it, and the line says what to set', async (test) => {
        const { run } = await runAsPerson(test, 'no-secret', ['call', 'list-files', '--client-id', CONFIDENTIAL_CLIENT]);
        expect(run.code, run.stdout).toBe(1);
        expect(run.stderr.split('\n').at(-1)).toBe(
            `demo-client: the authorization server refused client "${CONFIDENTIAL_CLIENT}" at its token endpoint (invalid_client); if it is a confidential client, set DEMO_CLIENT_SECRET to its secret`
        );
        expect(registrationRequests()).toEqual([]);
    }, 120_000);
});
