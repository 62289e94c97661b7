/**
 * Client, the token store cannot be redirected or shared (RFC 6749 §10.4),
 * against the real AS, RS and client processes:
 * - a symlink planted at the store's temporary name (`<store>.<pid>.tmp`,
 *   predictable from the client's pid) is never written through — whether it
 *   points at an existing file or at one the attacker wants created — and is
 *   left in place; the run still works, its tokens kept in memory;
 * - a store whose mode lets group or others in is refused with one line
 *   saying how to fix it, and left as it was; after that fix the call works;
 * - a symlink at the store's own path is refused in one line that names it a
 *   symbolic link (never `chmod`, which would change the link's target),
 *   whatever it points at; neither the link nor its target is changed, and
 *   `logout` refuses it the same way instead of deleting it.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startClient } from './client-harness.ts';
import { runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack;
const dirs = tempDir('client-store-hardening-');
let dir: string;
let storePath: string;

beforeAll(async () => {
    stack = await startStack();
});
beforeEach(() => {
    dir = join(dirs.path, String(Math.random()));
    mkdirSync(dir);
    storePath = join(dir, 'client.json');
});
afterAll(async () => {
    await stack?.stop();
    dirs.remove();
});

describe('a symlink at the temporary name', () => {
    it.each([
        ['an existing file of the user', true],
        ['a file the attacker wants created', false]
    ])('pointing at %s is not written through', async (_label, targetExists) => {
        const target = join(dir, 'victim.txt');
        if (targetExists) writeFileSync(target, 'the user’s own file\n');
        const client = startClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storePath]);
        // 'close' rather than 'exit': by then every line the client printed has been read.
        const closed = new Promise<number | null>((resolve) => client.child.once('close', resolve));
        // The pid is known at spawn; the first write comes after registration, a network round trip later.
        const temporary = `${storePath}.${client.child.pid}.tmp`;
        symlinkSync(target, temporary);

        const code = await closed;
        if (targetExists) expect(readFileSync(target, 'utf8')).toBe('the user’s own file\n');
        else expect(existsSync(target)).toBe(false);
        expect(lstatSync(temporary).isSymbolicLink()).toBe(true);
        expect(readlinkSync(temporary)).toBe(target);
        expect(existsSync(storePath)).toBe(false);
        expect(code).toBe(0);
        expect(client.stdout).toContain('· list-files ✓');
        expect(client.stderr).toEqual([
            `demo-client: token store ${storePath} was not written: ${temporary} already exists and was left untouched (remove it if it is yours); tokens are kept for this run only`
        ]);
    });
});

describe('a store others can reach', () => {
    it.each(['0644', '0604', '0620'])('mode %s: refused in one line that says how to fix it, and left as it was', async (octal) => {
        const mode = parseInt(octal, 8);
        const content = `${JSON.stringify({ version: 1, clients: {}, resources: {} })}\n`;
        writeFileSync(storePath, content);
        chmodSync(storePath, mode);
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storePath]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            `demo-client: token store ${storePath} has mode ${octal}: group or others can reach its refresh tokens (RFC 6749 §10.4); fix it with: chmod 600 ${storePath}`
        );
        expect(run.stdout).toBe('');
        expect(statSync(storePath).mode & 0o777).toBe(mode);
        expect(readFileSync(storePath, 'utf8')).toBe(content);
        expect(run.stderr).not.toContain('Registration');
    });

    it('after the fix it names, the call works', async () => {
        writeFileSync(storePath, `${JSON.stringify({ version: 1, clients: {}, resources: {} })}\n`);
        chmodSync(storePath, 0o644);
        expect((await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storePath])).code).toBe(1);
        chmodSync(storePath, 0o600);
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storePath]);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('· list-files ✓');
        expect(statSync(storePath).mode & 0o777).toBe(0o600);
    });
});

describe('a symlink at the store path', () => {
    const refusal = (path: string) =>
        `demo-client: token store ${path} is a symbolic link: refused, so that no one can choose where refresh tokens are read from or written to (RFC 6749 §10.4); remove the link, or pass --store the path of a regular file`;
    const validStore = `${JSON.stringify({ version: 1, clients: {}, resources: {} })}\n`;

    it.each([
        ['a file of the user that others can read (mode 0644)', 'the user’s own file\n', 0o644],
        ['a valid private store elsewhere (mode 0600)', validStore, 0o600],
        ['nothing (a dangling link)', undefined, undefined]
    ])('pointing at %s: refused in one line naming the link, and nothing changed', async (_label, content, mode) => {
        const target = join(dir, 'target.json');
        if (content !== undefined) {
            writeFileSync(target, content);
            chmodSync(target, mode!);
        }
        symlinkSync(target, storePath);
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storePath]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(refusal(storePath));
        expect(run.stderr).not.toContain('chmod');
        expect(run.stdout).toBe('');
        expect(readlinkSync(storePath)).toBe(target);
        if (content === undefined) expect(existsSync(target)).toBe(false);
        else {
            expect(readFileSync(target, 'utf8')).toBe(content);
            expect(statSync(target).mode & 0o777).toBe(mode);
        }
    });

    it('logout refuses it the same way and deletes neither the link nor its target', async () => {
        const target = join(dir, 'target.json');
        writeFileSync(target, validStore, { mode: 0o600 });
        symlinkSync(target, storePath);
        const run = await runClient(['logout', '--store', storePath]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(refusal(storePath));
        expect(run.stdout).toBe('');
        expect(readlinkSync(storePath)).toBe(target);
        expect(readFileSync(target, 'utf8')).toBe(validStore);
    });
});
