/**
 * The conformance wiring, without the suite itself (`npm run conformance`
 * runs that; it needs Node 22 from the registry and takes a minute):
 * - the baseline judge says "unexpected" for an unlisted failure (a WARNING
 *   counts) and for a listed failure that passes now, and the shipped
 *   expected-failures.yml gives a reason on every line;
 * - the client's conformance entry rejects bad input in one line, and against
 *   the real demo AS and RS it runs the CLI's path end to end: consent page
 *   approved headless, step-up with the scope union, the retry cap.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, loadBaseline, type Check, type ExpectedFailure } from '../conformance/expected-failures.ts';
import { PROJECT_ROOT, runToEnd } from '../support/spawn.ts';
import { startStack, type Stack } from './stack.ts';

const check = (id: string, status: string): Check => ({ id, status });
const listed = (scenario: string, checkId?: string): ExpectedFailure => ({ scenario, checkId, reason: 'test' });

describe('judging results against the baseline', () => {
    it('an unlisted failure is unexpected, and a WARNING is a failure', () => {
        const verdict = judge('auth/x', [check('a', 'SUCCESS'), check('b', 'WARNING')], []);
        expect(verdict).toMatchObject({ outcome: 'failed', unexpected: ['b'] });
    });

    it('a listed scenario that fails is expected; one that passes is stale', () => {
        expect(judge('auth/x', [check('a', 'FAILURE')], [listed('auth/x')]).outcome).toBe('expected-failure');
        expect(judge('auth/x', [check('a', 'SUCCESS'), check('log', 'INFO')], [listed('auth/x')])).toMatchObject({ outcome: 'stale', stale: ['auth/x'] });
    });

    it('a listed check excuses only that check', () => {
        const verdict = judge('auth/x', [check('a', 'FAILURE'), check('b', 'FAILURE')], [listed('auth/x', 'a')]);
        expect(verdict).toMatchObject({ outcome: 'failed', unexpected: ['b'] });
        expect(judge('auth/x', [check('a', 'WARNING')], [listed('auth/x', 'a')]).outcome).toBe('expected-failure');
    });

    it('a listed check seen passing is stale; one not emitted at all is not', () => {
        expect(judge('auth/x', [check('a', 'SUCCESS')], [listed('auth/x', 'a')])).toMatchObject({ outcome: 'stale', stale: ['auth/x:a'] });
        expect(judge('auth/x', [check('b', 'SUCCESS')], [listed('auth/x', 'a')]).outcome).toBe('passed');
    });

    it('entries for other scenarios change nothing', () => {
        expect(judge('auth/x', [check('a', 'FAILURE')], [listed('auth/y')]).outcome).toBe('failed');
    });
});

describe('conformance/expected-failures.yml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baseline-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const load = (text: string) => {
        const path = join(dir, 'baseline.yml');
        writeFileSync(path, text);
        return () => loadBaseline(path);
    };

    it('the shipped file parses, with a reason on every entry', () => {
        const baseline = loadBaseline(join(PROJECT_ROOT, 'conformance', 'expected-failures.yml'));
        const entries = [...baseline.client, ...baseline.authorization];
        expect(entries.length).toBeGreaterThan(0);
        for (const entry of entries) expect(entry.reason.length).toBeGreaterThan(10);
    });

    it('an entry without a reason, or outside a known section, is refused', () => {
        expect(load('client:\n  - auth/x\n')).toThrow(/:2: expected/);
        expect(load('server:\n  - auth/x  # why\n')).toThrow(/unknown section server/);
        expect(load('  - auth/x  # why\n')).toThrow(/under a section/);
    });

    it('reads scenario and check entries with their reasons', () => {
        expect(load('client:\n  - auth/x  # one\nauthorization:\n  - meta:cimd  # two\n')()).toEqual({
            client: [{ scenario: 'auth/x', checkId: undefined, reason: 'one' }],
            authorization: [{ scenario: 'meta', checkId: 'cimd', reason: 'two' }]
        });
    });
});

describe('the client conformance entry', () => {
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runToEnd('demo-client/conformance.ts', args, { env: { NO_COLOR: '1', ...env } });

    it.each([
        [[], {}, 'conformance-client: usage: conformance-client <server-url> (an absolute http(s) URL)'],
        [['ftp://127.0.0.1/mcp'], {}, 'conformance-client: usage: conformance-client <server-url> (an absolute http(s) URL)'],
        [['http://127.0.0.1:9/mcp'], { MCP_CONFORMANCE_CONTEXT: '{not json' }, 'conformance-client: MCP_CONFORMANCE_CONTEXT is not JSON'],
        [['http://127.0.0.1:9/mcp'], { MCP_CONFORMANCE_CONTEXT: '{"toolCalls":[{"arguments":{}}]}' }, 'conformance-client: MCP_CONFORMANCE_CONTEXT: toolCalls must be a list of { name, arguments }']
    ])('%j %j → one line, exit 2', async (args, env, line) => {
        const result = await run(args, env);
        expect(result.code).toBe(2);
        expect(result.stderr).toBe(line);
    });

    describe('against the real demo AS and RS', () => {
        let stack: Stack;
        beforeAll(async () => {
            stack = await startStack();
        });
        afterAll(() => stack?.stop());

        it('approves consent headless, steps up with the union, and stops at the retry cap', async () => {
            const result = await run([stack.mcpUrl]);
            expect(result.stdout).toContain('headless: approved the consent page as the user');
            expect(result.stdout).toContain('· list-files ✓');
            expect(result.stdout).toContain('· Step-up: asking for the union "files:read files:write"');
            expect(result.stdout).toContain('· write-file ✓');
            // files:admin is never granted: the one call the demo cannot make is the run's one failure.
            expect(result.stderr).toMatch(/^conformance-client: purge-files: purge-files needs "files:admin": still 403 insufficient_scope after 1 step-up/);
            expect(result.stderr.split('\n')).toHaveLength(1);
            expect(result.code).toBe(1);
            expect(stack.rs.stdout.filter((line) => line.startsWith('call tool=write-file')).map((line) => line.split(' status=')[1])).toEqual(['403', '200']);
        });
    });
});
