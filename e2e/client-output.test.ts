/**
 * Client, what it prints and traces against servers it must not trust
 * (the real client process, headless, against the hostile fixtures):
 * - long lists a server sends (1000 authorization servers, a 1000-token
 *   scope) are cut to their first items and "… and N more", in the terminal
 *   and in the trace;
 * - no secret from a URL's query or userinfo is printed or traced: the
 *   `--server` URL's query values and a challenge's resource_metadata query
 *   values are hidden everywhere, the trace heading and logout included, and a
 *   `--server` URL with a user name and password is refused without being
 *   repeated;
 * - with no authorization server metadata (the SDK falls back to the default
 *   endpoints) there is no issuer to compare `iss` with: the client says it
 *   did not check it, never "the expected issuer ✓", the story's summary
 *   counts only checked responses, and the trace says the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runToEnd, type FinishedRun } from '../support/spawn.ts';
import { startHostile, type Servers } from './client-harness.ts';
import { tempDir } from './stack.ts';

let servers: Servers | undefined;
const work = tempDir('client-output-');

afterEach(async () => {
    await servers?.stop();
    servers = undefined;
});
afterAll(() => work.remove());

/** `command` (default `call list-files`) headless against `server`, traced: the run and the trace's text. */
async function tracedCall(server: string, name: string, command = ['call', 'list-files']): Promise<FinishedRun & { trace: string }> {
    const trace = join(work.path, `${name}.md`);
    const run = await runToEnd('demo-client/main.ts', [...command, '--server', server, '--headless', '--store', join(work.path, `${name}.json`), '--trace', trace], {
        env: { NO_COLOR: '1' },
        timeoutMs: 60_000
    });
    return { ...run, trace: readFileSync(trace, 'utf8') };
}

describe('long lists from a server', () => {
    it('are cut to their first items and a count, in the terminal and in the trace', async () => {
        servers = await startHostile([], ['--authorization-servers', '1000', '--extra-scopes', '999']);
        const run = await tracedCall(servers.mcpUrl, 'lists');
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);

        const issuer = `"${servers.as.origin}"`;
        const scope = '"files:read extra:1 extra:2 extra:3 extra:4" … and 995 more';
        expect(run.stdout).toContain(`· Discovery: the resource's metadata names the authorization server ${issuer}, "https://as-2.example", "https://as-3.example", "https://as-4.example", "https://as-5.example" … and 995 more\n`);
        expect(run.stdout).toContain(`    the challenge: scope ${scope}, resource_metadata `);
        expect(run.stdout).toContain(`· Consent: asking for ${scope}\n`);
        expect(run.stdout).toContain(`· Token: scope ${scope}\n`);
        expect(run.trace).toContain(`authorization_servers=[${issuer}, "https://as-2.example", "https://as-3.example", "https://as-4.example", "https://as-5.example" … and 995 more]`);
        expect(run.trace).toContain(`WWW-Authenticate: Bearer resource_metadata=${servers.rs.origin}/.well-known/oauth-protected-resource/mcp, scope=${scope}`);
        expect(run.trace).toContain(`AS-->>C: 200 token_type=Bearer<br/>scope=${scope}<br/>`);
        // Nothing past the cut is anywhere.
        for (const [name, text] of [['stdout', run.stdout], ['trace', run.trace]]) {
            expect(text, name).not.toContain('extra:5');
            expect(text, name).not.toContain('as-6.example');
        }
    });
});

describe('secrets in URLs', () => {
    it("hide the --server URL's and the resource_metadata URL's query values in the narration and the whole trace", async () => {
        servers = await startHostile([], ['--metadata-query', 'sig=META-SECRET']);
        const run = await tracedCall(`${servers.mcpUrl}?api_key=SERVER-SECRET&token=TOKEN-SECRET`, 'query');
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`    the challenge: scope "files:read", resource_metadata ${servers.rs.origin}/.well-known/oauth-protected-resource/mcp?sig=(hidden)\n`);
        expect(run.trace).toContain(`# Trace: demo-client call list-files against ${servers.mcpUrl}?api_key=(hidden)&token=(hidden)\n`);
        expect(run.trace).toContain(`resource_metadata=${servers.rs.origin}/.well-known/oauth-protected-resource/mcp?sig=(hidden)`);
        // logout names the stored resource (the --server URL as given) the same way.
        const logout = await runToEnd('demo-client/main.ts', ['logout', '--store', join(work.path, 'query.json')], { env: { NO_COLOR: '1' } });
        expect(logout.stderr).toContain(`the refresh token for ${servers.mcpUrl}?api_key=(hidden)&token=(hidden) `);
        for (const secret of ['SERVER-SECRET', 'TOKEN-SECRET', 'META-SECRET']) {
            expect(run.stdout, 'stdout').not.toContain(secret);
            expect(run.trace, 'trace').not.toContain(secret);
            expect(logout.stdout + logout.stderr, 'logout').not.toContain(secret);
        }
    });

    it('refuse a --server URL with a user name and password in one line that does not repeat them', async () => {
        const run = await runToEnd('demo-client/main.ts', ['tools', '--server', 'http://alice:PASSWORD-SECRET@127.0.0.1:9/mcp?token=QUERY-SECRET', '--trace', join(work.path, 'userinfo.md')], {
            env: { NO_COLOR: '1' }
        });
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toBe('demo-client: --server must not carry a user name or password (user:pass@); the client authorizes with OAuth');
    });
});

describe('an authorization server without metadata', () => {
    it('leaves iss unchecked and says so, with no ✓, in the story, its summary and the trace', async () => {
        servers = await startHostile(['--without-metadata']);
        // The hostile AS issues Bearer tokens: the story without DPoP.
        const run = await tracedCall(servers.mcpUrl, 'no-metadata', ['story', '--no-dpop']);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        // The AS put its origin in iss each time, but the client never learned an issuer to compare it with.
        const unchecked = run.stdout.split('\n').filter((line) => line === '    iss not checked: no authorization server metadata was found, so there is no issuer to compare it with');
        expect(unchecked).toHaveLength(3);
        expect(run.stdout).not.toContain('✓ (RFC 9207');
        expect(run.stdout).toContain('    0 authorization responses carried the expected iss; 3 could not be checked (no authorization server metadata, so no issuer to compare with)\n');
        expect(run.trace).toMatch(/U->>L: \d+\. GET \/callback code=code#35;1, state=state#35;1<br\/>iss=\(unchecked: no authorization server metadata\)\n/);
        expect(run.trace).toContain('L-->>U: 200 state ✓ matches the pending authorization<br/>iss not checked: no authorization server metadata,<br/>so no issuer to compare with\n');
        expect(run.trace).not.toContain('iss ✓');
    });
});
