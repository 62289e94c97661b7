/**
 * `logout` revokes what the client holds before it deletes the store, and
 * says so: each stored refresh token is revoked at the AS that issued it
 * (RFC 7009), so the family the client leaves behind cannot be refreshed by
 * anyone holding a copy, and the AS's consent page stops calling its scopes
 * "Already allowed". When the AS cannot be reached, logout still deletes the
 * store and says in one line what it could not revoke. Real AS, RS and client.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizeUrl, openConsent, pkcePair, refreshTokens } from './as-flow.ts';
import { eventually } from './client-harness.ts';
import { runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack;
const dirs = tempDir('client-logout-');
let storePath: string;

beforeEach(async () => {
    stack = await startStack();
    storePath = join(dirs.path, String(Math.random()), 'client.json');
});
afterEach(async () => {
    await stack.stop();
});
afterAll(() => dirs.remove());

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

    it('still deletes the store when the AS is gone, and says in one line what stays valid', async () => {
        expect((await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--headless', '--store', storePath])).code).toBe(0);
        await stack.as.stop();
        const logout = await runClient(['logout', '--store', storePath]);
        expect(logout.code).toBe(0);
        expect(logout.stderr).toBe(
            `demo-client: could not revoke the refresh token for ${stack.mcpUrl} at ${stack.as.origin}: the authorization server could not be reached; it stays valid there until it expires`
        );
        expect(logout.stdout).toBe(`logged out: deleted ${storePath}`);
        expect(existsSync(storePath)).toBe(false);
    });
});
