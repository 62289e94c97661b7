/**
 * `logout` revokes what the client holds before it deletes the store, and
 * says so: each stored refresh token is revoked at the AS that issued it
 * (RFC 7009), so the family the client leaves behind cannot be refreshed by
 * anyone holding a copy, and the AS's consent page stops calling its scopes
 * "Already allowed". When the AS cannot be reached, logout still deletes the
 * store, says in one line what it could not revoke, and its last line says
 * that it revoked nothing. A store logout cannot fully read (not JSON, not a
 * store's shape, not readable at all) is kept: the refresh tokens in its
 * well-formed entries are revoked, the file stays as it was, two lines say
 * what was kept and why, no token text is printed, and the exit is 1.
 * Real AS, RS and client. One stack serves the file: each test's client run
 * registers its own client, and a test reads only the AS's lines for its
 * client_id or between its own marks. The test that stops the AS starts its own.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeUrl, openConsent, pkcePair, refreshTokens } from './as-flow.ts';
import { eventually } from './client-harness.ts';
import { asLinesBetween, markAsLog, runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack;
const dirs = tempDir('client-logout-');
let storePath: string;

beforeAll(async () => {
    stack = await startStack();
});
beforeEach(() => {
    storePath = join(dirs.path, String(Math.random()), 'client.json');
});
afterAll(async () => {
    await stack?.stop();
    dirs.remove();
});

interface Held {
    clientId: string;
    redirectUri: string;
    refreshToken: string;
}

/** The registration and refresh token the store holds for the stack's AS and RS. */
function held(): Held {
    const store = JSON.parse(readFileSync(storePath, 'utf8'));
    const client = store.clients[stack.as.origin];
    return { clientId: client.information.client_id, redirectUri: client.redirectUri, refreshToken: store.resources[stack.mcpUrl].tokens[stack.as.origin].refresh_token };
}

describe('logout', () => {
    it('revokes the stored refresh token at the AS, says so, then deletes the store', async () => {
        expect((await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storePath])).code).toBe(0);
        const before = held();
        const stepUp = () => openConsent(authorizeUrl(stack.as.origin, { client: before, pkce: pkcePair(), scope: 'files:read files:write', resource: stack.mcpUrl }));
        expect((await stepUp()).html).toContain('Already allowed');

        const logout = await runClient(['logout', '--store', storePath]);
        expect(logout.code).toBe(0);
        expect(logout.stderr).toBe('');
        expect(logout.stdout.split('\n')).toEqual([
            `revoked the refresh token for ${stack.mcpUrl} at ${stack.as.origin} (its access token ends when it expires)`,
            `logged out: deleted ${storePath}`
        ]);
        expect(existsSync(storePath)).toBe(false);
        await eventually(() => expect(stack.as.stdout).toContain(`revoke client_id=${before.clientId} status=200 revoked=family`));

        const refresh = await refreshTokens(stack.as.origin, before.clientId, before.refreshToken);
        expect(refresh.status).toBe(400);
        expect(await refresh.json()).toMatchObject({ error: 'invalid_grant', error_description: 'the refresh token has been revoked' });
        expect((await stepUp()).html).not.toMatch(/already allowed|class="mark"/i);
    });

    it('still deletes the store when the AS is gone, says in one line what stays valid, and that it revoked nothing', async () => {
        // This test stops its AS, so it has a stack of its own.
        const own = await startStack();
        try {
            expect((await runClient(['call', 'list-files', '--server', own.mcpUrl, '--headless', '--store', storePath])).code).toBe(0);
            await own.as.stop();
            const logout = await runClient(['logout', '--store', storePath]);
            expect(logout.code).toBe(0);
            expect(logout.stderr).toBe(
                `demo-client: could not revoke the refresh token for ${own.mcpUrl} at ${own.as.origin}: the authorization server could not be reached; it stays valid there until it expires`
            );
            expect(logout.stdout).toBe(`logged out: revoked nothing (the line above says why); deleted ${storePath} anyway`);
            expect(existsSync(storePath)).toBe(false);
        } finally {
            await own.stop();
        }
    });
});

describe('logout with a store it cannot fully read', () => {
    it('mis-shaped: revokes the refresh token of its well-formed entry, keeps the file as it was, exits 1', async () => {
        expect((await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storePath])).code).toBe(0);
        const before = held();
        const store = JSON.parse(readFileSync(storePath, 'utf8'));
        // One entry of the wrong shape makes the whole file not a store; the entry the client wrote is still well-formed.
        store.resources['http://127.0.0.1:9/mcp'] = 'not an entry';
        const damaged = `${JSON.stringify(store, null, 2)}\n`;
        writeFileSync(storePath, damaged);

        const logout = await runClient(['logout', '--store', storePath]);
        expect(logout.code).toBe(1);
        expect(logout.stdout).toBe(`revoked the refresh token for ${stack.mcpUrl} at ${stack.as.origin} (its access token ends when it expires)`);
        expect(logout.stderr.split('\n')).toEqual([
            `demo-client: kept ${storePath}: it is not in the shape of a scoped-tools store, so logout did not delete it`,
            'demo-client: revoked the 1 refresh token found in its well-formed entries; look at the file, then delete it yourself'
        ]);
        expect(readFileSync(storePath, 'utf8')).toBe(damaged);
        expect(`${logout.stdout}${logout.stderr}`).not.toContain(before.refreshToken);
        await eventually(() => expect(stack.as.stdout).toContain(`revoke client_id=${before.clientId} status=200 revoked=family`));
        expect((await refreshTokens(stack.as.origin, before.clientId, before.refreshToken)).status).toBe(400);
    });

    it('not JSON: keeps the file, sends nothing, says so in two lines, exits 1', async () => {
        mkdirSync(join(storePath, '..'), { recursive: true });
        const corrupt = '{"version": 1, "resources": {"x": {"tokens": {"y": {"refresh_token": "half-a-tok';
        writeFileSync(storePath, corrupt, { mode: 0o600 });
        const from = await markAsLog(stack.as);
        const logout = await runClient(['logout', '--store', storePath]);
        expect(logout.code).toBe(1);
        expect(logout.stdout).toBe('');
        expect(logout.stderr.split('\n')).toEqual([
            `demo-client: kept ${storePath}: it is not valid JSON, so logout cannot tell what it holds and did not delete it`,
            'demo-client: revoked nothing; look at the file, then delete it yourself'
        ]);
        expect(readFileSync(storePath, 'utf8')).toBe(corrupt);
        const to = await markAsLog(stack.as);
        expect(asLinesBetween(stack.as, from, to).filter((line) => line.startsWith('revoke'))).toEqual([]);
    });

    it('unreadable (a directory in its place): kept, one line, exits 1', async () => {
        mkdirSync(storePath, { recursive: true });
        const logout = await runClient(['logout', '--store', storePath]);
        expect(logout.code).toBe(1);
        expect(logout.stdout).toBe('');
        expect(logout.stderr).toBe(`demo-client: kept ${storePath}: it cannot be read (EISDIR), so logout cannot tell what it holds; nothing was revoked or deleted`);
        expect(existsSync(storePath)).toBe(true);
    });
});
