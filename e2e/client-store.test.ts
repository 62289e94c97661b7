/**
 * Client, the token store, against the real AS and RS:
 * - registration and tokens persist in the --store file (mode 0600, parent
 *   created), so a later call asks again only for what it lacks — and not at
 *   all once the token covers it;
 * - the default store lives under $XDG_STATE_HOME, outside the repository;
 * - `logout` deletes it and the next call logs in afresh;
 * - a corrupt store is reported in one line and set aside under a name the
 *   line gives, never overwritten: a fresh login follows, and a new store is
 *   written; an unreadable one (a directory in its place) is left as it is,
 *   and the run keeps its tokens in memory;
 * - the registered redirect_uri and the bound callback port always agree: the
 *   stored port is reused, and when it is taken the client registers again.
 *
 * One stack serves the file (each test has its own store, so its own client);
 * what a test counts in the AS's log it reads between two marks of its own
 * (`markAsLog`), and the file names it writes are its own.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asLinesBetween, markAsLog, runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack;
const dirs = tempDir('client-store-');
let storePath: string;

beforeAll(async () => {
    stack = await startStack();
});
beforeEach(() => {
    storePath = join(dirs.path, String(Math.random()), 'nested', 'client.json');
});
afterAll(async () => {
    await stack?.stop();
    dirs.remove();
});

/** Runs `during` between two marks of the AS's log and returns what the AS logged in between. */
async function asLinesDuring(during: () => Promise<void>): Promise<string[]> {
    const from = await markAsLog(stack.as);
    await during();
    return asLinesBetween(stack.as, from, await markAsLog(stack.as));
}
const registrations = (lines: string[]) => lines.filter((line) => line.startsWith('register ') && line.includes('status=201'));
const tokenRequests = (lines: string[]) => lines.filter((line) => line.startsWith('token '));
const client = (...args: string[]) => runClient([...args, '--server', stack.mcpUrl, '--headless', '--store', storePath]);

describe('persistence', () => {
    it('keeps registration and tokens in a 0600 file, so later calls do not ask again for what they hold', async () => {
        const logged = await asLinesDuring(async () => {
            const first = await client('call', 'list-files');
            expect(first.code).toBe(0);
            expect(statSync(storePath).mode & 0o777).toBe(0o600);
            expect(JSON.parse(readFileSync(storePath, 'utf8'))).toMatchObject({ version: 1, callbackPort: expect.any(Number) });

            const second = await client('call', 'write-file', 'name=kept.txt', 'content=x');
            expect(second.code).toBe(0);
            expect(second.stdout).not.toContain('Registration');
            // '→ 401' as the client writes a 401 (demo-client/narrator.ts); a bare '401' also matches ports such as 40179.
            expect(second.stdout).not.toContain('→ 401');
            expect(second.stdout).toContain('Step-up: asking for the union "files:read files:write"');

            const third = await client('call', 'write-file', 'name=kept.txt', 'content=y');
            expect(third.code).toBe(0);
            expect(third.stdout).toBe('· write-file ✓\nReplaced kept.txt (1 bytes).');
        });
        expect(tokenRequests(logged).filter((line) => line.startsWith('token grant_type=authorization_code '))).toHaveLength(2);
        expect(registrations(logged)).toHaveLength(1);
        expect(tokenRequests(logged)).toHaveLength(2);
    });

    it('defaults to $XDG_STATE_HOME/scoped-tools-story/client.json', async () => {
        const stateHome = join(dirs.path, 'state-home');
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless'], { env: { XDG_STATE_HOME: stateHome } });
        expect(run.code).toBe(0);
        expect(statSync(join(stateHome, 'scoped-tools-story', 'client.json')).mode & 0o777).toBe(0o600);
    });
});

describe('logout', () => {
    it('deletes the store, and the next call registers and consents again', async () => {
        const logged = await asLinesDuring(async () => {
            expect((await client('call', 'list-files')).code).toBe(0);
            const logout = await runClient(['logout', '--store', storePath]);
            expect(logout.code).toBe(0);
            expect(logout.stdout.split('\n').at(-1)).toBe(`logged out: deleted ${storePath}`);
            expect(existsSync(storePath)).toBe(false);
            expect((await runClient(['logout', '--store', storePath])).stdout).toBe(`nothing to delete: ${storePath} does not exist`);

            const again = await client('call', 'list-files');
            expect(again.code).toBe(0);
            expect(again.stdout).toContain('Consent: asking for "files:read"');
        });
        expect(registrations(logged)).toHaveLength(2);
    });
});

describe('a bad store', () => {
    it('corrupt: one clear line, the file set aside as it was, a fresh login, and a valid store afterwards', async () => {
        mkdirSync(join(storePath, '..'), { recursive: true });
        const corrupt = '{"version": 1, "clients": [';
        writeFileSync(storePath, corrupt, { mode: 0o600 });
        const run = await client('call', 'list-files');
        expect(run.code).toBe(0);
        const aside = /kept it as (\S+) and starting a fresh login$/.exec(run.stderr)?.[1];
        expect(aside?.slice(0, storePath.length)).toBe(storePath);
        expect(aside?.slice(storePath.length)).toMatch(/^\.corrupt-\d{8}T\d{6}Z$/);
        expect(run.stderr).toBe(`demo-client: token store ${storePath} is corrupt (not a scoped-tools store); kept it as ${aside} and starting a fresh login`);
        expect(readFileSync(aside!, 'utf8')).toBe(corrupt);
        expect(run.stdout).toContain('Registration: client_id');
        expect(JSON.parse(readFileSync(storePath, 'utf8'))).toMatchObject({ version: 1 });
        expect(statSync(storePath).mode & 0o777).toBe(0o600);
    });

    it('unreadable (a directory in its place): one line, left as it is, and the call still works', async () => {
        mkdirSync(storePath, { recursive: true });
        const run = await client('call', 'list-files');
        expect(run.code).toBe(0);
        expect(run.stderr).toBe(`demo-client: token store ${storePath} cannot be read (EISDIR); starting a fresh login and leaving it as it is, so tokens are kept for this run only`);
        expect(run.stdout).toContain('· list-files ✓');
        expect(statSync(storePath).isDirectory()).toBe(true);
    });
});

describe('callback port and redirect_uri', () => {
    it('reuses the stored port, and registers again when that port is taken', async () => {
        const logged = await asLinesDuring(async () => {
            expect((await client('call', 'list-files')).code).toBe(0);
            const port = () => (JSON.parse(readFileSync(storePath, 'utf8')) as { callbackPort: number }).callbackPort;
            const stored = port();

            // The step-up needs the callback again: same port, so the registration still matches.
            const reused = await client('call', 'write-file', 'name=reused.txt', 'content=x');
            expect(reused.code).toBe(0);
            expect(reused.stdout).not.toContain('Registration');
            expect(port()).toBe(stored);

            const squatter = createServer();
            await new Promise<void>((resolve) => squatter.listen(stored, '127.0.0.1', resolve));
            try {
                const moved = await client('call', 'purge-files');
                expect(moved.stderr).toContain(`demo-client: the stored callback port ${stored} is taken; listening on ${port()} and registering again (redirect URIs match exactly)`);
                expect(moved.stdout).toContain(`redirect_uri http://127.0.0.1:${port()}/callback`);
                expect(moved.stdout).toContain('headless: approved the consent page as the user');
                expect(port()).not.toBe(stored);
            } finally {
                squatter.close();
            }
        });
        expect(registrations(logged)).toHaveLength(2);
    });
});
