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
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually, grants, startRealAsWithHostileRs, type Servers } from './client-harness.ts';
import { driveConsentForPrintedUrls, OPEN_PREFIX } from './printed-url-browser.ts';
import { runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack | Servers | undefined;
const store = tempDir('client-step-up-');
const storeFile = () => `${store.path}/${Math.random()}.json`;

afterEach(async () => {
    await stack?.stop();
    stack = undefined;
});
afterAll(() => store.remove());

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
    it('runs headless, shows every step in order, exits 0, and never refreshes to widen scope', async () => {
        stack = await startStack();
        const run = await runClient(['story', '--server', stack.mcpUrl, '--headless']);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        let from = 0;
        for (const step of STORY_STEPS) {
            const at = run.stdout.indexOf(step, from);
            expect(at, `step "${step}" after position ${from}`).toBeGreaterThanOrEqual(0);
            from = at + step.length;
        }
        expect(run.stdout).toContain(`iss "${stack.as.origin}" is the expected issuer ✓`);
        // Three consents (login, two step-ups), each a fresh authorization: a strict superset bypasses refresh.
        await eventually(() => expect(grants(stack!.as, 'authorization_code')).toHaveLength(3));
        expect(grants(stack.as, 'refresh_token')).toEqual([]);
        expect(stack.rs.stdout.filter((line) => line.startsWith('call tool=purge-files'))).toHaveLength(2);
    });

    it('prints the same story on a fresh stack, apart from ports and ids', async () => {
        const outputs: string[] = [];
        for (let run = 0; run < 2; run++) {
            stack = await startStack();
            outputs.push(normalised((await runClient(['story', '--server', stack.mcpUrl, '--headless'])).stdout));
            await stack.stop();
            stack = undefined;
        }
        expect(outputs[1]).toBe(outputs[0]);
    });
});

describe('retry cap and step-up controls', () => {
    it('purge-files ends after one step-up by default', async () => {
        stack = await startStack();
        const run = await runClient(['call', 'purge-files', '--server', stack.mcpUrl, '--headless', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            'demo-client: purge-files needs "files:admin": still 403 insufficient_scope after 1 step-up; the authorization server did not grant it (the token holds "files:read"). Stopped at the retry cap (--max-step-up-retries 1).'
        );
        expect(run.stdout).toContain('Step-up: asking for the union "files:read files:admin"');
        await eventually(() => expect(grants(stack!.as, 'authorization_code')).toHaveLength(2));
    });

    it('--max-step-up-retries 2 allows exactly two step-ups for one call', async () => {
        stack = await startStack();
        const run = await runClient(['call', 'purge-files', '--server', stack.mcpUrl, '--headless', '--max-step-up-retries', '2', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('still 403 insufficient_scope after 2 step-ups');
        expect(run.stderr).toContain('(--max-step-up-retries 2)');
        await eventually(() => expect(grants(stack!.as, 'authorization_code')).toHaveLength(3));
    });

    it('--max-step-up-retries 1 lets write-file step up once and succeed, bypassing the refresh token it holds', async () => {
        stack = await startStack();
        const path = storeFile();
        const run = await runClient(['call', 'write-file', 'name=one.txt', 'content=hello', '--server', stack.mcpUrl, '--headless', '--max-step-up-retries', '1', '--store', path]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('Step-up: asking for the union "files:read files:write"');
        expect(run.stdout).toContain('Created one.txt');
        expect(readFileSync(path, 'utf8')).toContain('"refresh_token"');
        await eventually(() => expect(grants(stack!.as, 'authorization_code')).toHaveLength(2));
        expect(grants(stack.as, 'refresh_token')).toEqual([]);
    });

    it('--max-step-up-retries 0 turns step-up off and says so', async () => {
        stack = await startStack();
        const run = await runClient(['call', 'write-file', 'name=a.txt', 'content=x', '--server', stack.mcpUrl, '--headless', '--max-step-up-retries', '0', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            `demo-client: step-up disabled by --max-step-up-retries 0: write-file needs "files:write" (resource metadata ${stack.rs.origin}/.well-known/oauth-protected-resource/mcp)`
        );
        expect(run.stdout).not.toContain('Step-up');
        await eventually(() => expect(grants(stack!.as, 'authorization_code')).toHaveLength(1));
    });

    it('--no-step-up prints the InsufficientScopeError fields and exits non-zero', async () => {
        stack = await startStack();
        const run = await runClient(['call', 'write-file', 'name=a.txt', 'content=x', '--server', stack.mcpUrl, '--headless', '--no-step-up', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            `demo-client: write-file refused: 403 insufficient_scope, required scope "files:write", resource metadata ${stack.rs.origin}/.well-known/oauth-protected-resource/mcp (step-up is off: --no-step-up)`
        );
        await eventually(() => expect(grants(stack!.as, 'authorization_code')).toHaveLength(1));
        expect(stack.rs.stdout.filter((line) => line.startsWith('call tool=write-file'))).toEqual([expect.stringContaining('status=403')]);
    });
});

describe('refresh when the held token already covers the challenge', () => {
    it('uses the refresh grant, with no second consent', async () => {
        stack = await startRealAsWithHostileRs(['--challenge-once', 'files:read']);
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storeFile()]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('the held token already covers what the challenge asks for, so the SDK used the refresh grant');
        await eventually(() => expect(grants(stack!.as, 'refresh_token')).toEqual([expect.stringMatching(/status=200 scope="files:read"$/)]));
        expect(grants(stack.as, 'authorization_code')).toHaveLength(1);
    });

    it('counts that refresh as a step-up: with --max-step-up-retries 0 there is none', async () => {
        stack = await startRealAsWithHostileRs(['--challenge-once', 'files:read']);
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--max-step-up-retries', '0', '--store', storeFile()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^demo-client: step-up disabled by --max-step-up-retries 0: list-files needs "files:read"/);
        expect(grants(stack.as, 'refresh_token')).toEqual([]);
    });
});

/** The client's exchanges with the RS after the step-up's token request, as `METHOD path rpc-method ⇒ status` from its --trace. */
async function retryExchanges(protocol: string): Promise<string[]> {
    stack = await startStack();
    const trace = join(store.path, `trace-${protocol}.md`);
    const run = await runClient(['call', 'write-file', 'name=era.txt', 'content=x', '--server', stack.mcpUrl, '--headless', '--protocol', protocol, '--trace', trace, '--store', storeFile()]);
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
        stack = await startStack();
        // The test plays the browser on each consent URL the example prints.
        const run = await driveConsentForPrintedUrls('examples/manual-step-up.ts', ['--server', stack.mcpUrl, '--no-open']);
        expect(run.stderr).toEqual([]);
        expect(run.code).toBe(0);
        expect(run.visits.map((visit) => visit.callbackStatus)).toEqual([200, 200, 200]);
        const consented = run.stdout.filter((line) => line.startsWith(OPEN_PREFIX)).map((line) => new URL(line.slice(OPEN_PREFIX.length)).searchParams.get('scope'));
        expect(consented).toEqual(['files:read', 'files:read files:write', 'files:read files:write files:admin']);
        const stdout = run.stdout.join('\n');
        expect(stdout).toContain('decision: computeScopeUnion(held "files:read", required "files:write") = "files:read files:write"');
        expect(stdout).toContain('decision: isStrictScopeSuperset(union, held) = true → forceReauthorization: true');
        expect(stdout).toContain('· write-file ✓');
        expect(stdout).toContain('decision: 1 step-up already made for this call (limit 1); stop');
        expect(stdout).toContain('· purge-files stays refused, as expected');
        await eventually(() => expect(grants(stack!.as, 'authorization_code')).toHaveLength(3));
        expect(grants(stack.as, 'refresh_token')).toEqual([]);
    });
});
