/**
 * The `--trace` file is written like the token store, against the real AS,
 * RS and client processes:
 * - a symlink planted at the trace path is refused before the run, in one
 *   line naming it a symbolic link; the file it points at is untouched;
 * - a symlink planted at the trace's temporary name (`<trace>.<pid>.tmp`,
 *   predictable from the client's pid) is never written through, and left;
 * - a run that stops before its first HTTP exchange leaves an earlier trace at
 *   that path exactly as it was (nothing truncated at start), and says so;
 * - a written trace has mode 0600, whatever the file it replaced had.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startClient } from './client-harness.ts';
import { runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack;
const dirs = tempDir('client-files-');
let dir: string;
let tracePath: string;

beforeAll(async () => {
    stack = await startStack();
});
beforeEach(() => {
    dir = join(dirs.path, String(Math.random()));
    mkdirSync(dir);
    tracePath = join(dir, 'trace.md');
});
afterAll(async () => {
    await stack?.stop();
    dirs.remove();
});

const EARLIER_TRACE = '# an earlier trace the user kept\n';
const callArgs = () => ['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', join(dir, 'client.json'), '--trace', tracePath];

describe('--trace and a symlink', () => {
    it('at the trace path: refused in one line before the run, and the file it points at is untouched', async () => {
        const victim = join(dir, 'victim.txt');
        writeFileSync(victim, 'the user’s own file\n');
        symlinkSync(victim, tracePath);
        const run = await runClient(callArgs());
        expect(run.code).toBe(2);
        expect(run.stderr).toBe(
            `demo-client: trace file ${tracePath} is a symbolic link: refused, so that nothing is written through it to another file; remove the link, or pass --trace the path of a regular file`
        );
        expect(run.stdout).toBe('');
        expect(readFileSync(victim, 'utf8')).toBe('the user’s own file\n');
        expect(readlinkSync(tracePath)).toBe(victim);
        expect(existsSync(join(dir, 'client.json'))).toBe(false);
    });

    it('at its temporary name: not written through, left in place, one line', async () => {
        const victim = join(dir, 'victim.txt');
        writeFileSync(victim, 'the user’s own file\n');
        const client = startClient(callArgs());
        const closed = new Promise<number | null>((resolve) => client.child.once('close', resolve));
        // The pid is known at spawn; the trace is written when the run ends, network round trips later.
        const temporary = `${tracePath}.${client.child.pid}.tmp`;
        symlinkSync(victim, temporary);

        expect(await closed).toBe(2);
        expect(readFileSync(victim, 'utf8')).toBe('the user’s own file\n');
        expect(lstatSync(temporary).isSymbolicLink()).toBe(true);
        expect(existsSync(tracePath)).toBe(false);
        expect(client.stdout).toContain('· list-files ✓');
        expect(client.stderr).toEqual([`demo-client: trace file ${tracePath} was not written: ${temporary} already exists and was left untouched (remove it if it is yours)`]);
    });
});

describe('--trace and an earlier trace', () => {
    it('a run that stops before any HTTP exchange (a refused store) leaves it as it was, and says so', async () => {
        writeFileSync(tracePath, EARLIER_TRACE);
        const store = join(dir, 'client.json');
        writeFileSync(store, `${JSON.stringify({ version: 1, clients: {}, resources: {} })}\n`);
        chmodSync(store, 0o644);
        const run = await runClient(callArgs());
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`token store ${store} has mode 0644`);
        expect(run.stdout).toBe(`trace: no HTTP exchange was made, so ${tracePath} was not written`);
        expect(readFileSync(tracePath, 'utf8')).toBe(EARLIER_TRACE);
    });

    it('a run with exchanges replaces it with a 0600 trace, whatever mode the earlier one had', async () => {
        writeFileSync(tracePath, EARLIER_TRACE);
        chmodSync(tracePath, 0o644);
        const run = await runClient(callArgs());
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`^trace: \\d+ HTTP exchanges written to ${tracePath.replace(/[.]/g, '\\.')}$`, 'm'));
        expect(readFileSync(tracePath, 'utf8')).toContain('```mermaid');
        expect(statSync(tracePath).mode & 0o777).toBe(0o600);
    });
});
