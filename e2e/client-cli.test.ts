/**
 * Client, the command line itself:
 * - bad input and unreachable servers end in one line and a non-zero exit,
 *   never a stack trace (2 for usage, 1 for everything else);
 * - `tools` lists the real RS's tools with the scope each needs;
 * - the headless user agent follows a redirect only to its own callback, and
 *   stops with one line saying what the AS showed and what to do when it meets
 *   a page only a person can answer (a sign-in form, an unknown form, another site).
 * Each test that needs servers starts its own: their flags differ.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freeLoopbackPort, LOOPBACK_HOST } from '../support/serve.ts';
import { startHostile, tokenLines, type Servers } from './client-harness.ts';
import { runClient, startStack, tempDir, type Stack } from './stack.ts';

let servers: Servers | Stack | undefined;
const store = tempDir('client-cli-');

afterEach(async () => {
    await servers?.stop();
    servers = undefined;
});
afterAll(() => store.remove());

const expectOneLine = (stderr: string, line: string) => {
    expect(stderr).toBe(`demo-client: ${line}`);
    expect(stderr).not.toMatch(/\n\s+at /);
};

describe('bad input', () => {
    // The parser's other refusals are checked in e2e/unit/client-usage-errors.test.ts; these two show that a
    // usage error reaches the terminal as one line and exit status 2 from the real process.
    it.each([
        [[], 'a command is required (story, tools, call, logout); see --help'],
        [['tools', '--server', 'http://127.0.0.1:9/mcp', '--max-step-up-retries', 'x'], '--max-step-up-retries must be an integer ≥ 0']
    ])('%j → usage error', async (args, line) => {
        const run = await runClient(args);
        expect(run.code).toBe(2);
        expectOneLine(run.stderr, line);
    });

    it('an unreachable server is one line, exit 1', async () => {
        const mcpUrl = `http://${LOOPBACK_HOST}:${await freeLoopbackPort()}/mcp`;
        const run = await runClient(['tools', '--server', mcpUrl, '--headless', '--store', `${store.path}/unreachable.json`]);
        expect(run.code).toBe(1);
        expectOneLine(run.stderr, `nothing answers at ${mcpUrl} (connection refused); start the resource server, or run again with --server set to the URL it printed`);
    });
});

describe('tools', () => {
    it('lists the real server tools and the scope each needs', async () => {
        servers = await startStack();
        const run = await runClient(['tools', '--server', servers.mcpUrl, '--headless', '--store', `${store.path}/tools.json`]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        for (const [tool, scope] of [
            ['list-files', 'files:read'],
            ['read-file', 'files:read'],
            ['write-file', 'files:write'],
            ['purge-files', 'files:admin']
        ]) {
            expect(run.stdout).toMatch(new RegExp(`^${tool}  .*Requires scope ${scope}\\.$`, 'm'));
        }
    });
});

describe('the headless user agent', () => {
    it('does not follow a redirect that leads anywhere but its own callback', async () => {
        servers = await startHostile(['--redirect-elsewhere']);
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', `${store.path}/elsewhere.json`]);
        expect(run.code).toBe(1);
        expectOneLine(run.stderr, "headless: the authorization server redirected somewhere other than this client's callback; not following");
        expect(servers.as.stdout).not.toContain('landing');
        expect(tokenLines(servers.as)).toEqual([]);
    });

    const WHAT_TO_DO = 'only a person can answer it — run again with --interactive on a machine with a display, and sign in and consent in the browser it opens';
    it.each([
        ['sign-in', 'the authorization server showed a sign-in page (a form asking for a password)'],
        ['other-page', 'the authorization server showed a page that is not a consent form this client understands (titled "Authorize")'],
        ['another-site', 'the authorization server sent the browser to another site (to sign in there, most likely)']
    ])('--authorize-shows %s: stops with one line naming what the AS showed and what to do', async (shows, what) => {
        servers = await startHostile(['--authorize-shows', shows]);
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', `${store.path}/${shows}.json`]);
        expect(run.code).toBe(1);
        expectOneLine(run.stderr, `headless: ${what}; ${WHAT_TO_DO}`);
        // It followed the AS's own redirect to its page, as a browser does, cookie included — and submitted nothing.
        if (shows !== 'another-site') expect(servers.as.stdout).toContain('interaction cookie=yes');
        expect(tokenLines(servers.as)).toEqual([]);
    });
});
