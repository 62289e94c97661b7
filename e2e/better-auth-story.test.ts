/**
 * The story against a second real authorization server: better-auth with its
 * MCP plugin (pinned, fetched on demand by real-as/better-auth-package.ts,
 * configured by real-as/better-auth.ts) in demo-as's place, demo-rs trusting
 * its issuer `<origin>/api/auth` — an issuer with a path, whose metadata the
 * client finds at the RFC 8414 path-inserted location — and the demo client
 * with `--interactive`. Debian's Chromium, driven through playwright-core,
 * is the person: it signs in as the demo user on the small sign-in page and
 * allows on the consent page (e2e/browser-person.ts).
 *
 * - The whole story, as `npm run demo -- --as better-auth` runs it: 401,
 *   discovery, registration (better-auth's DCR, turned on), sign-in and
 *   consent, iss checked, list ✓, write → 403 → union step-up → write ✓, the
 *   retry cap.
 * - What better-auth issued: an RFC 9068 JWT (`typ: at+jwt`, EdDSA) whose
 *   `iss` is the issuer and whose `aud` is the RS's resource URL.
 *
 * Without Chromium or the fetched packages these tests are skipped with the
 * reason — except in CI (CI set), where either missing is a failure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { BETTER_AUTH_PACKAGE, DEMO_USER, locateBetterAuth, type BetterAuthInstall } from '../real-as/better-auth-package.ts';
import { runToEnd } from '../support/spawn.ts';
import { tempDir } from './stack.ts';
import { prepareBrowserStory } from './chromium.ts';
import { personAtTheBrowser, type Credentials } from './browser-person.ts';

const inCi = Boolean(process.env.CI);
const work = tempDir('better-auth-story-');
const PERSON: Credentials = { userField: 'input[name=email]', user: DEMO_USER.email, password: DEMO_USER.password };

let install: BetterAuthInstall | undefined;
let missing: string | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
    ({ found: install, context, missing } = await prepareBrowserStory('better-auth-story', join(work.path, 'profile'), locateBetterAuth));
}, 320_000);

afterAll(async () => {
    await context?.close();
    work.remove();
});

/** Runs `run` with a person at the browser the client opens; resolves with the run and what the person saw. */
async function withPerson<T>(name: string, run: (env: NodeJS.ProcessEnv) => Promise<T>) {
    let finish!: () => void;
    const person = personAtTheBrowser(context!, work.path, name, PERSON, new Promise<void>((resolve) => (finish = resolve)));
    const result = await run(person.env).finally(finish);
    return { result, seen: await person.seen };
}

describe(missing && !inCi ? `the story against better-auth — skipped: ${missing}` : `the story against ${BETTER_AUTH_PACKAGE}`, () => {
    it('npm run demo -- --as better-auth: sign-in and consent in the browser it opens, iss checked, union step-up, retry cap', async (test) => {
        if (!install) test.skip(`${missing}`);
        const { result: run, seen } = await withPerson('story', (env) => runToEnd('scripts/demo.ts', ['--as', 'better-auth', '--store', join(work.path, 'story.json')], { env, timeoutMs: 150_000 }));
        const out = run.stdout;
        expect(run.stderr, out).toBe('');
        expect(run.code, out).toBe(0);
        const store = readFileSync(join(work.path, 'story.json'), 'utf8');
        const issuer = /^authorization server {2}(\S+)$/m.exec(out)?.[1];
        expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/auth$/);
        expect(out).toContain('consent: in your browser');
        expect(out).toContain('Connecting without a token → 401 Unauthorized');
        expect(out).toContain(`Discovery: the resource's metadata names the authorization server "${issuer}"`);
        expect(out).toContain(`its metadata: issuer "${issuer}"; iss on authorization responses advertised`);
        expect(out).toMatch(/Registration: client_id \S+, redirect_uri http:\/\/127\.0\.0\.1:\d+\/callback/);
        expect(out).toContain(`iss "${issuer}" is the expected issuer ✓ (RFC 9207 §2.4)`);
        expect(out).toContain('list-files ✓');
        expect(out).toContain('write-file → 403 insufficient_scope');
        expect(out).toContain('Step-up: asking for the union "files:read offline_access files:write"');
        expect(out).toContain('write-file ✓');
        expect(out).toContain('list-files still ✓');
        expect(out).toContain('purge-files stays refused: retry cap reached');
        expect(out).toContain('The story went as expected.');
        expect(seen.filter((page) => page.startsWith('failed'))).toEqual([]);
        expect(seen[0]).toBe('sign-in');
        expect(seen.filter((page) => page === 'callback')).toHaveLength(3);
        // What better-auth issued (the last token the story holds): an RFC 9068 JWT for the RS, DPoP-bound.
        const accessToken = /"access_token"\s*:\s*"([^"]+)"/.exec(store)?.[1];
        expect(accessToken).toBeDefined();
        expect(decodeProtectedHeader(accessToken!)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
        const rs = /^resource server {7}(\S+)$/m.exec(out)?.[1];
        expect(decodeJwt(accessToken!)).toMatchObject({ iss: issuer, aud: rs, scope: 'files:read offline_access files:write', cnf: { jkt: expect.any(String) } });
        expect(store).toMatch(/"refresh_token"\s*:\s*"[^"]+"/);
    }, 180_000);
});
