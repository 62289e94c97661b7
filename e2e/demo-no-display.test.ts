/**
 * `npm run demo -- --as oidc-provider` on a machine with no display (no
 * DISPLAY, no WAYLAND_DISPLAY) and a BROWSER command that fails: the demo
 * says at once how long it will wait, that the printed URL can be opened in
 * another machine's browser, and which two ports to forward over SSH — the
 * provider's and the client's callback listener's. `--auth-timeout 1` ends
 * the run, since nobody signs in.
 *
 * The provider is fetched on demand (real-as/provider-package.ts); without it
 * the test is skipped with the reason — except in CI, where that is a failure.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateProvider, PROVIDER_PACKAGE } from '../real-as/provider-package.ts';
import { runToEnd } from '../support/spawn.ts';
import { tempDir } from './stack.ts';

const work = tempDir('demo-no-display-');
let missing: string | undefined;

beforeAll(async () => {
    missing = await locateProvider().then(
        () => undefined,
        (error: Error) => error.message
    );
    if (missing && process.env.CI) throw new Error(missing);
}, 320_000);
afterAll(() => work.remove());

describe(`npm run demo -- --as oidc-provider (${PROVIDER_PACKAGE}) with no display`, () => {
    it('says at once how long it waits, that another machine can open the URL, and which ports to forward', async (test) => {
        if (missing) test.skip(missing);
        const run = await runToEnd('scripts/demo.ts', ['--as', 'oidc-provider', '--auth-timeout', '1', '--store', join(work.path, 'client.json')], {
            env: { DISPLAY: '', WAYLAND_DISPLAY: '', BROWSER: 'false', CI: '', NO_COLOR: '1' },
            timeoutMs: 150_000
        });
        const lines = run.stdout.split('\n');
        const at = lines.findIndex((line) => line.startsWith('Open this URL in your browser: '));
        expect(at, run.stdout).toBeGreaterThan(0);
        const authorizationUrl = new URL(lines[at]!.slice('Open this URL in your browser: '.length));
        const providerPort = authorizationUrl.port;
        const callbackPort = new URL(authorizationUrl.searchParams.get('redirect_uri')!).port;

        expect(lines.slice(at + 1, at + 5)).toEqual([
            'No display here (DISPLAY and WAYLAND_DISPLAY are unset), so a browser may not open on this machine.',
            'Waiting up to 1 s (--auth-timeout) for the authorization response.',
            'The URL can be opened in a browser on another machine: first forward these ports to this one over SSH, from that machine:',
            `    ssh -L ${providerPort}:127.0.0.1:${providerPort} -L ${callbackPort}:127.0.0.1:${callbackPort} <user>@<this machine>`
        ]);
        expect(run.code).toBe(1);
        expect(run.stderr.split('\n').at(-1)).toBe('demo-client: no authorization response arrived within 1 s (--auth-timeout); nothing was granted');
    }, 160_000);
});
