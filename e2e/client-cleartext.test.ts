/**
 * Client: no credential leaves over cleartext. An authorization server whose
 * metadata names a token, registration or revocation endpoint on plain http to
 * a host that is not a loopback literal (127.0.0.2 here, where a trap logs
 * whatever reaches it) is refused in one line naming the endpoint, the
 * metadata it came from and the rule; the run exits non-zero and the trap
 * sees nothing. Hostile AS and scripted RS, real client.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerLines, startHostile, tokenLines, type Servers } from './client-harness.ts';
import { runClient, tempDir } from './stack.ts';

let servers: Servers | undefined;
const stores = tempDir('client-cleartext-');

afterEach(async () => {
    await servers?.stop();
    servers = undefined;
});
afterAll(() => stores.remove());

const RULE = 'credentials go only over https, or over http to 127.0.0.1, [::1] or localhost. Nothing was sent to it.';
const trapLines = (s: Servers) => s.as.stdout.filter((line) => line.startsWith('cleartext '));
const storeFile = () => join(stores.path, `${Math.random()}.json`);

describe('an endpoint on plain http to a host that is not loopback', () => {
    it.each([
        ['token', 'token_endpoint', '/token'],
        ['registration', 'registration_endpoint', '/register']
    ])('%s: refused at discovery, in one line, before anything is registered or redeemed', async (endpoint, field, path) => {
        servers = await startHostile(['--cleartext-endpoint', endpoint]);
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', storeFile()]);

        expect(run.code).toBe(1);
        const lines = run.stderr.split('\n').filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^demo-client: refused the ${field} http://127\\.0\\.0\\.2:\\d+${path} \\(from the authorization server metadata of "${servers.as.origin}"\\): `));
        expect(lines[0]).toContain(RULE);
        expect(trapLines(servers)).toEqual([]);
        expect(registerLines(servers.as)).toEqual([]);
        expect(tokenLines(servers.as)).toEqual([]);
    });

    it('revocation: logout refuses to send the refresh token there, and says so', async () => {
        servers = await startHostile(['--cleartext-endpoint', 'revocation']);
        const store = storeFile();
        expect((await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', store])).code).toBe(0);

        const logout = await runClient(['logout', '--store', store]);
        const warnings = logout.stderr.split('\n').filter(Boolean);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(new RegExp(`could not revoke .*: refused the revocation_endpoint http://127\\.0\\.0\\.2:\\d+/revoke \\(from the authorization server metadata of "${servers.as.origin}"\\): `));
        expect(warnings[0]).toContain(RULE);
        expect(trapLines(servers)).toEqual([]);
    });
});
