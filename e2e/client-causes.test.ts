/**
 * Client: a failure is told by its cause, not by the symptom the SDK meets
 * next.
 * - No AS metadata at any RFC 8414 / OpenID Connect location: said so, not
 *   "refused the client registration (HTTP 404)" from the guessed /register.
 * - (An AS that issues DPoP-bound tokens only, and a client run with
 *   --no-dpop: e2e/client-dpop.test.ts › --no-dpop.)
 * - A headless /authorize answered with a JSON document: the same "run again
 *   with --interactive" advice as every other page the agent cannot answer.
 * - AS metadata found where OpenID Connect Discovery puts it for an issuer
 *   with a path is narrated like metadata at the root.
 * Hostile AS (or the real one) behind the scripted RS, real client.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { registerLines, startHostile, tokenLines } from './client-harness.ts';
import { runClient, tempDir } from './stack.ts';

const running: Array<{ stop(): Promise<unknown> }> = [];
const stores = tempDir('client-causes-');

afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()));
});
afterAll(() => stores.remove());

const storeFile = () => join(stores.path, `${Math.random()}.json`);
const stderrLines = (stderr: string) => stderr.split('\n').filter(Boolean);

describe('the cause, not the symptom', () => {
    it('no AS metadata anywhere: says so, not that registration was refused', async () => {
        const servers = await startHostile(['--metadata-at', 'nowhere']);
        running.push(servers);
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', storeFile()]);

        expect(run.code).toBe(1);
        expect(stderrLines(run.stderr)).toEqual([
            `demo-client: no authorization server metadata at "${servers.as.origin}" (tried the RFC 8414 and OpenID Connect locations), so there is no registration endpoint to use; the guessed /register answered HTTP 404`
        ]);
    });

    it('headless /authorize answered with JSON: the --interactive advice', async () => {
        const servers = await startHostile(['--authorize-shows', 'json']);
        running.push(servers);
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', storeFile()]);

        expect(run.code).toBe(1);
        expect(stderrLines(run.stderr)).toEqual([
            'demo-client: headless: the authorization server answered /authorize with a JSON document (HTTP 200) instead of a consent page; only a person can answer it — run again with --interactive on a machine with a display, and sign in and consent in the browser it opens'
        ]);
        expect(registerLines(servers.as)).toHaveLength(1);
        expect(tokenLines(servers.as)).toEqual([]);
    });
});

describe('narrating discovery', () => {
    it('AS metadata at the OpenID Connect location of an issuer with a path is recognised', async () => {
        const as: RunningServer = await startServer('e2e/fixtures/hostile-as.ts', ['--port', '0', '--metadata-at', 'oidc-path']);
        running.push(as);
        const rs = await startServer('e2e/fixtures/hostile-rs.ts', ['--port', '0', '--issuer', `${as.origin}/tenant`]);
        running.push(rs);
        const run = await runClient(['call', 'list-files', '--server', `${rs.origin}/mcp`, '--headless', '--store', storeFile()]);

        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`its metadata: issuer "${as.origin}/tenant"; iss on authorization responses advertised`);
    });
});
