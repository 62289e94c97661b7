/**
 * Client, step-up (SEP-2350), against the real AS and RS (and, for the one
 * challenge the real RS never sends, the real AS behind a scripted RS):
 * - the whole story runs headless and exits 0, every step in order, and its
 *   output is the same on a fresh stack apart from ports and ids;
 * - step-up asks for the union and bypasses the refresh grant when the union
 *   is a strict superset; the refresh grant is used when the held token
 *   already covers the challenge (observed in the AS's `token grant_type=…` lines);
 * - the retry cap: purge-files (files:admin, never granted) ends after one
 *   step-up, or after n with --max-step-up-retries n;
 * - --max-step-up-retries 0 and --no-step-up refuse at the first 403 and say why;
 * - the retry after a step-up runs on a new connection: on 2025-11-25 it opens
 *   with `initialize`, on 2026-07-28 it adopts the discover result and sends the
 *   call straight away (read from the client's own `--trace`);
 * - examples/manual-step-up.ts drives the same decisions by hand; the test plays
 *   the browser on each consent URL it prints.
 *
 * One real stack serves the whole file (a server start costs more than the
 * tests it serves): each run registers a client of its own, so the AS's
 * `token …` and the RS's `call …` lines are read for that run's client_id.
 * The RS's files are shared, so a test that writes one gives it a name of its
 * own, and the story runs first, while the files are as a fresh RS has them.
 * Other starts stay where the point needs them: one fresh stack to compare the
 * story with, and for each --challenge-once test a scripted RS of its own (it
 * challenges once per process), the two behind one real AS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type FinishedRun, type RunningServer } from '../support/spawn.ts';
import { eventually, grants, registeredClientId } from './client-harness.ts';
import { driveConsentForPrintedUrls, OPEN_PREFIX } from './printed-url-browser.ts';
import { markAsLog, runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack;
const store = tempDir('client-step-up-');
const storeFile = () => `${store.path}/${Math.random()}.json`;

beforeAll(async () => {
    stack = await startStack();
});
afterAll(async () => {
    await stack?.stop();
    store.remove();
});

/** The AS's `token grant_type=<grantType>` lines for one client. */
const grantsFor = (as: RunningServer, grantType: string, clientId: string) => grants(as, grantType).filter((line) => line.includes(` client_id=${clientId} `));

/** The RS's `call tool=<tool>` lines for one client. */
const callsFor = (rs: RunningServer, tool: string, clientId: string) => rs.stdout.filter((line) => line.startsWith(`call tool=${tool} client_id=${clientId} `));

const STORY_STEPS = [
    'Connecting without a token → 401 Unauthorized',
    'the challenge: scope "files:read", resource_metadata',
    'Registration: client_id',
    'Consent: asking for "files:read"',
    'headless: approved the consent page as the user',
    'Callback on 127.0.0.1: state matches the pending authorization',
    'is the expected issuer ✓ (RFC 9207 §2.4)',
    'Token: scope "files:read"',
    'list-files ✓',
    'write-file → 403 insufficient_scope',
    'the challenge asks for "files:write"',
    'Step-up: asking for the union "files:read files:write"',
    'Token now holds "files:read files:write"',
    'write-file ✓',
    'list-files still ✓',
    'purge-files → 403 insufficient_scope',
    'Step-up: asking for the union "files:read files:write files:admin"',
    'not granted: "files:admin"',
    'purge-files stays refused: retry cap reached',
    'still 403 insufficient_scope after 1 step-up; the authorization server did not grant it',
    'The story went as expected.'
];

/** The story's output with what legitimately varies (ports, client ids) masked. */
const normalised = (stdout: string) =>
    stdout
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
        .replace(/client_id [0-9a-f-]+/g, 'client_id ID')
        .replace(/cnf\.jkt [\w-]{43}/g, 'cnf.jkt JKT');

describe('the story against the real AS and RS', () => {
    /** The story on the shared stack, run before any other test writes a file to its RS. */
    let firstStory: FinishedRun;
    beforeAll(async () => {
        firstStory = await runClient(['story', '--server', stack.mcpUrl, '--headless']);
    });

    it('runs headless, shows every step in order, exits 0, and never refreshes to widen scope', async () => {
        const run = firstStory;
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        let from = 0;
        for (const step of STORY_STEPS) {
            const at = run.stdout.indexOf(step, from);
            expect(at, `step "${step}" after position ${from}`).toBeGreaterThanOrEqual(0);
            from = at + step.length;
        }
        expect(run.stdout).toContain(`iss "${stack.as.origin}" is the expected issuer ✓`);
        const clientId = registeredClientId(run.stdout);
        // Three consents (login, two step-ups), each a fresh authorization: a strict superset bypasses refresh.
        await eventually(() => expect(grantsFor(stack.as, 'authorization_code', clientId)).toHaveLength(3));
        expect(grantsFor(stack.as, 'refresh_token', clientId)).toEqual([]);
        await eventually(() => expect(callsFor(stack.rs, 'purge-files', clientId)).toHaveLength(2));
    });

    it('prints the same story on a fresh stack, apart from ports and ids', async () => {
        const fresh = await startStack();
        try {
            const again = await runClient(['story', '--server', fresh.mcpUrl, '--headless']);
            expect(normalised(again.stdout)).toBe(normalised(firstStory.stdout));
        } finally {
            await fresh.stop();
        }
    });
});

describe('retry cap and step-up controls', () => {
    it('purge-files ends after one step-up by default', async () => {
        const run = await runClient(['call', 'purge-files', '--server', stack.mcpUrl, '--headless', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            'demo-client: purge-files needs "files:admin": still 403 insufficient_scope after 1 step-up; the authorization server did not grant it (the token holds "files:read"). Stopped at the retry cap (--max-step-up-retries 1).'
        );
        expect(run.stdout).toContain('Step-up: asking for the union "files:read files:admin"');
        await eventually(() => expect(grantsFor(stack.as, 'authorization_code', registeredClientId(run.stdout))).toHaveLength(2));
    });

    it('--max-step-up-retries 2 allows exactly two step-ups for one call', async () => {
        const run = await runClient(['call', 'purge-files', '--server', stack.mcpUrl, '--headless', '--max-step-up-retries', '2', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('still 403 insufficient_scope after 2 step-ups');
        expect(run.stderr).toContain('(--max-step-up-retries 2)');
        await eventually(() => expect(grantsFor(stack.as, 'authorization_code', registeredClientId(run.stdout))).toHaveLength(3));
    });

    it('--max-step-up-retries 1 lets write-file step up once and succeed, bypassing the refresh token it holds', async () => {
        const path = storeFile();
        const run = await runClient(['call', 'write-file', 'name=one.txt', 'content=hello', '--server', stack.mcpUrl, '--headless', '--max-step-up-retries', '1', '--store', path]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('Step-up: asking for the union "files:read files:write"');
        expect(run.stdout).toContain('Created one.txt');
        expect(readFileSync(path, 'utf8')).toContain('"refresh_token"');
        const clientId = registeredClientId(run.stdout);
        await eventually(() => expect(grantsFor(stack.as, 'authorization_code', clientId)).toHaveLength(2));
        expect(grantsFor(stack.as, 'refresh_token', clientId)).toEqual([]);
    });

    it('--max-step-up-retries 0 turns step-up off and says so', async () => {
        const run = await runClient(['call', 'write-file', 'name=a.txt', 'content=x', '--server', stack.mcpUrl, '--headless', '--max-step-up-retries', '0', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            `demo-client: step-up disabled by --max-step-up-retries 0: write-file needs "files:write" (resource metadata ${stack.rs.origin}/.well-known/oauth-protected-resource/mcp)`
        );
        expect(run.stdout).not.toContain('Step-up');
        await eventually(() => expect(grantsFor(stack.as, 'authorization_code', registeredClientId(run.stdout))).toHaveLength(1));
    });

    it('--no-step-up prints the InsufficientScopeError fields and exits non-zero', async () => {
        const run = await runClient(['call', 'write-file', 'name=a.txt', 'content=x', '--server', stack.mcpUrl, '--headless', '--no-step-up', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            `demo-client: write-file refused: 403 insufficient_scope, required scope "files:write", resource metadata ${stack.rs.origin}/.well-known/oauth-protected-resource/mcp (step-up is off: --no-step-up)`
        );
        const clientId = registeredClientId(run.stdout);
        await eventually(() => expect(grantsFor(stack.as, 'authorization_code', clientId)).toHaveLength(1));
        await eventually(() => expect(callsFor(stack.rs, 'write-file', clientId)).toEqual([expect.stringContaining('status=403')]));
    });
});

describe('refresh when the held token already covers the challenge', () => {
    // The real AS (with no --resource, so any resource is allowed) serves both tests; the scripted RS
    // challenges only its first tools/call, so each test starts one of its own.
    let as: RunningServer;
    let rs: RunningServer | undefined;
    const startChallengingOnce = async () => {
        rs = await startServer('e2e/fixtures/hostile-rs.ts', ['--port', '0', '--issuer', as.origin, '--challenge-once', 'files:read']);
        return `${rs.origin}/mcp`;
    };
    beforeAll(async () => {
        as = await startServer('demo-as/main.ts', ['--port', '0']);
    });
    afterEach(async () => {
        await rs?.stop();
        rs = undefined;
    });
    afterAll(async () => {
        await as?.stop();
    });

    it('uses the refresh grant, with no second consent', async () => {
        const run = await runClient(['call', 'list-files', '--server', await startChallengingOnce(), '--headless', '--store', storeFile()]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('the held token already covers what the challenge asks for, so the SDK used the refresh grant');
        const clientId = registeredClientId(run.stdout);
        await eventually(() => expect(grantsFor(as, 'refresh_token', clientId)).toEqual([expect.stringMatching(/status=200 scope="files:read"$/)]));
        expect(grantsFor(as, 'authorization_code', clientId)).toHaveLength(1);
    });

    it('counts that refresh as a step-up: with --max-step-up-retries 0 there is none', async () => {
        const run = await runClient(['call', 'list-files', '--server', await startChallengingOnce(), '--headless', '--max-step-up-retries', '0', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^demo-client: step-up disabled by --max-step-up-retries 0: list-files needs "files:read"/);
        // The mark makes sure every line of this run is in the log: its one consent, and no refresh.
        await markAsLog(as);
        const clientId = registeredClientId(run.stdout);
        expect(grantsFor(as, 'authorization_code', clientId)).toHaveLength(1);
        expect(grantsFor(as, 'refresh_token', clientId)).toEqual([]);
    });
});

/** The client's exchanges with the RS after the step-up's token request, as `METHOD path rpc-method ⇒ status` from its --trace. */
async function retryExchanges(protocol: string): Promise<string[]> {
    const trace = join(store.path, `trace-${protocol}.md`);
    const run = await runClient(['call', 'write-file', `name=era-${protocol}.txt`, 'content=x', '--server', stack.mcpUrl, '--headless', '--protocol', protocol, '--trace', trace, '--store', storeFile()]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const exchanges = readFileSync(trace, 'utf8')
        .split('\n')
        .map((line) => /^ *\d+\. \w+ → (\w+): (\w+ \S+)(?: ([\w/-]+))?.* ⇒ (\d{3})/.exec(line))
        .filter((match) => match !== null)
        .map(([, to, request, method, status]) => `${to} ${request}${method ? ` ${method}` : ''} ⇒ ${status}`);
    const tokens = exchanges.flatMap((exchange, at) => (exchange.startsWith('AS POST /token') ? [at] : []));
    expect(tokens).toHaveLength(2);
    return exchanges.slice(tokens[1] + 1).filter((exchange) => exchange.startsWith('RS '));
}

describe('the retry after a step-up', () => {
    it('on 2025-11-25 (the default) opens its new connection with initialize', async () => {
        const retry = await retryExchanges('legacy');
        expect(retry[0]).toBe('RS POST /mcp initialize ⇒ 200');
        expect(retry.at(-1)).toBe('RS POST /mcp tools/call ⇒ 200');
    });

    it('on 2026-07-28 adopts the previous connection\'s discover result and sends the call at once', async () => {
        const retry = await retryExchanges('2026-07-28');
        expect(retry).toEqual(['RS POST /mcp tools/call ⇒ 200']);
    });
});

describe('examples/manual-step-up.ts', () => {
    it('decides the union, the refresh bypass and the stop itself, against the running demo', async () => {
        // The test plays the browser on each consent URL the example prints.
        const run = await driveConsentForPrintedUrls('examples/manual-step-up.ts', ['--server', stack.mcpUrl, '--no-open']);
        expect(run.stderr).toEqual([]);
        expect(run.code).toBe(0);
        expect(run.visits.map((visit) => visit.callbackStatus)).toEqual([200, 200, 200]);
        const consentUrls = run.stdout.filter((line) => line.startsWith(OPEN_PREFIX)).map((line) => new URL(line.slice(OPEN_PREFIX.length)));
        expect(consentUrls.map((url) => url.searchParams.get('scope'))).toEqual(['files:read', 'files:read files:write', 'files:read files:write files:admin']);
        const stdout = run.stdout.join('\n');
        expect(stdout).toContain('decision: computeScopeUnion(held "files:read", required "files:write") = "files:read files:write"');
        expect(stdout).toContain('decision: isStrictScopeSuperset(union, held) = true → forceReauthorization: true');
        expect(stdout).toContain('· write-file ✓');
        expect(stdout).toContain('decision: 1 step-up already made for this call (limit 1); stop');
        expect(stdout).toContain('· purge-files stays refused, as expected');
        // The example registers once; its consent URLs name its client_id.
        const clientId = consentUrls[0]!.searchParams.get('client_id')!;
        expect(consentUrls.map((url) => url.searchParams.get('client_id'))).toEqual([clientId, clientId, clientId]);
        await eventually(() => expect(grantsFor(stack.as, 'authorization_code', clientId)).toHaveLength(3));
        expect(grantsFor(stack.as, 'refresh_token', clientId)).toEqual([]);
    });
});
