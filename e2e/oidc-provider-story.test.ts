/**
 * The story against a real authorization server: panva's oidc-provider
 * (pinned, fetched on demand by real-as/provider-package.ts, configured by
 * real-as/oidc-provider.ts) in demo-as's place, demo-rs trusting it, and the
 * demo client with `--interactive`. The browser the client opens is Debian's
 * Chromium, driven through playwright-core as a person: the `open` package
 * runs xdg-open, which honours the BROWSER command; ours hands each URL to
 * the Chromium this test drives, where the "person" signs in on the
 * provider's own sign-in page and presses Continue on its consent page.
 *
 * - The whole story, as `npm run demo -- --as oidc-provider` runs it: 401,
 *   discovery (OIDC metadata), registration, sign-in and consent, iss
 *   checked, list ✓, write → 403 → union step-up → write ✓, the retry cap;
 *   offline_access told apart from a refusal.
 * - An issuer with a path (/oidc) whose access tokens are EdDSA-signed RFC
 *   9068 JWTs with aud = the RS's resource URL.
 * - `--headless` against it stops with one line: what the provider showed
 *   (a sign-in page) and what to do.
 *
 * Without Chromium or the fetched provider these tests are skipped with the
 * reason — except in CI (CI set), where either missing is a failure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { PROVIDER_PACKAGE, locateProvider, type ProviderInstall } from '../real-as/provider-package.ts';
import { startProviderStack, type ProviderStack } from '../real-as/provider-stack.ts';
import { runToEnd } from '../support/spawn.ts';
import { runClient, tempDir } from './stack.ts';
import { prepareBrowserStory } from './chromium.ts';
import { personAtTheBrowser as personAt, type Credentials } from './browser-person.ts';

const inCi = Boolean(process.env.CI);
const work = tempDir('oidc-provider-story-');

let install: ProviderInstall | undefined;
let missing: string | undefined;
let context: BrowserContext | undefined;
const stacks: ProviderStack[] = [];

beforeAll(async () => {
    ({ found: install, context, missing } = await prepareBrowserStory('oidc-provider-story', join(work.path, 'profile'), locateProvider));
}, 320_000);

afterAll(async () => {
    await context?.close();
    await Promise.all(stacks.map((stack) => stack.stop()));
    work.remove();
});

/** The provider and the RS for one test, or a skip (outside CI) that names what is missing. */
async function stackOrSkip(test: TestContext, options: Parameters<typeof startProviderStack>[1] = {}): Promise<ProviderStack> {
    if (!install) test.skip(`${missing}`);
    const stack = await startProviderStack(install!, options);
    stacks.push(stack);
    return stack;
}

/** Any name and password: the provider's development sign-in page accepts them. */
const PERSON: Credentials = { userField: 'input[name=login]', user: 'demo-user', password: 'any password' };

function personAtTheBrowser(name: string, finished: Promise<unknown>) {
    return personAt(context!, work.path, name, PERSON, finished);
}

describe(missing && !inCi ? `the story against oidc-provider — skipped: ${missing}` : `the story against ${PROVIDER_PACKAGE}`, () => {
    it('npm run demo -- --as oidc-provider: sign-in and consent in the browser it opens, iss checked, union step-up, retry cap', async (test) => {
        if (!install) test.skip(`${missing}`);
        let finish!: () => void;
        const person = personAtTheBrowser('story', new Promise<void>((resolve) => (finish = resolve)));
        const run = await runToEnd('scripts/demo.ts', ['--as', 'oidc-provider', '--store', join(work.path, 'story.json')], { env: person.env, timeoutMs: 150_000 });
        finish();
        const seen = await person.seen;
        const out = run.stdout;
        expect(run.stderr.split('\n').filter((line) => line && !line.startsWith('oidc-provider WARNING')), out).toEqual([]);
        expect(run.code, out).toBe(0);
        const issuer = /^authorization server {2}(\S+)$/m.exec(out)?.[1];
        expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(out).toContain('consent: in your browser');
        expect(out).toContain('Connecting without a token → 401 Unauthorized');
        expect(out).toContain(`Discovery: the resource's metadata names the authorization server "${issuer}"`);
        expect(out).toContain(`its metadata: issuer "${issuer}"; iss on authorization responses advertised`);
        expect(out).toMatch(/Registration: client_id \S+, redirect_uri http:\/\/127\.0\.0\.1:\d+\/callback/);
        expect(out).toContain(`iss "${issuer}" is the expected issuer ✓ (RFC 9207 §2.4)`);
        expect(out).toContain('list-files ✓');
        expect(out).toContain('write-file → 403 insufficient_scope');
        expect(out).toMatch(/Step-up: asking for the union "files:read files:write( offline_access)?"/);
        expect(out).toContain('write-file ✓');
        expect(out).toContain('list-files still ✓');
        expect(out).toContain('purge-files stays refused: retry cap reached');
        expect(out).toContain('The story went as expected.');
        // The SDK asks for offline_access; the provider answers it with a refresh token, not as a resource scope.
        expect(out).toContain('offline_access was answered with a refresh token');
        expect(out).not.toContain('not granted: "offline_access"');
        // A person signed in once (the provider keeps the session) and consented to each authorization.
        expect(seen.filter((page) => page.startsWith('failed'))).toEqual([]);
        expect(seen[0]).toBe('sign-in');
        expect(seen.filter((page) => page === 'callback')).toHaveLength(3);
        expect(seen.filter((page) => page === 'consent').length).toBeGreaterThanOrEqual(3);
    }, 180_000);

    it('an issuer with a path and EdDSA-signed RFC 9068 access tokens', async (test) => {
        const stack = await stackOrSkip(test, { issuerPath: '/oidc', signingAlg: 'EdDSA' });
        let finish!: () => void;
        const person = personAtTheBrowser('path', new Promise<void>((resolve) => (finish = resolve)));
        const store = join(work.path, 'path.json');
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--interactive', '--store', store], { env: person.env, timeoutMs: 90_000 });
        finish();
        await person.seen;
        expect(run.stderr, run.stdout).toBe('');
        expect(run.code, run.stdout).toBe(0);
        expect(stack.provider.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc$/);
        expect(run.stdout).toContain(`iss "${stack.provider.issuer}" is the expected issuer ✓`);
        const accessToken = /"access_token"\s*:\s*"([^"]+)"/.exec(readFileSync(store, 'utf8'))?.[1];
        expect(accessToken).toBeDefined();
        expect(decodeProtectedHeader(accessToken!)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
        expect(decodeJwt(accessToken!)).toMatchObject({ iss: stack.provider.issuer, aud: stack.mcpUrl, scope: 'files:read' });
    }, 120_000);

    it('--headless stops with one line: the provider showed a sign-in page, and what to do', async (test) => {
        const stack = stacks[0] ?? (await stackOrSkip(test));
        // The provider's sign-in page is where it sends an unknown browser; headless is one.
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', join(work.path, 'headless.json')]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            'demo-client: headless: the authorization server showed a sign-in page (a form asking for a password); only a person can answer it — run again with --interactive on a machine with a display, and sign in and consent in the browser it opens'
        );
    });
});
