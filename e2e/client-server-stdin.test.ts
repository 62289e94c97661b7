/**
 * `client … --server -` (how `npm run demo` starts the client before the RS
 * listens): the URL is read from the first line of stdin. A good line is used
 * like `--server <url>`; a bad line, or stdin ending without one, is a usage
 * error in one line, exit 2.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, spawnTs } from '../support/spawn.ts';
import { startStack, tempDir, type Stack } from './stack.ts';

const store = tempDir('client-server-stdin-');
let stack: Stack | undefined;
afterAll(async () => {
    await stack?.stop();
    store.remove();
});

/** Runs the client with `input` on its stdin (undefined: stdin closed at once). */
async function withStdin(args: string[], input: string | undefined) {
    const child = spawnTs('demo-client/main.ts', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { CI: '1', NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdin?.end(input);
    return { code: await exited(child), stdout, stderr: stderr.trim() };
}

describe('--server -', () => {
    it('takes the resource server URL from the first line of stdin', async () => {
        stack = await startStack();
        const run = await withStdin(['tools', '--server', '-', '--store', join(store.path, 'client.json')], `${stack.mcpUrl}\n`);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('list-files');
    });

    it.each([
        ['a line that is not a URL', 'not a url\n', '--server - must be an absolute http(s) URL'],
        ['stdin ending first', undefined, '--server -: standard input ended before a URL arrived']
    ])('%s: one line, exit 2', async (_case, input, line) => {
        const run = await withStdin(['tools', '--server', '-'], input);
        expect(run.code).toBe(2);
        expect(run.stderr).toBe(`demo-client: ${line}`);
    });
});
