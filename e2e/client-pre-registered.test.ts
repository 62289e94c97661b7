/**
 * The client with a client the administrator registered (`--client-id`,
 * `--callback-port`), against demo-as: the test registers the client first,
 * as an administrator would, with one fixed loopback redirect URI, and the
 * client then uses it.
 * - nothing is registered (RFC 7591): the AS logs no registration, the token
 *   is issued to the administrator's client_id, the trace shows no /register;
 * - with --client-issuer, the client is used at that issuer only;
 * - the callback listener binds exactly the registered port; taken, it is
 *   one line and a non-zero exit, as is a secret the AS cannot take, a
 *   secret without --client-id, and a malformed flag — the secret is never
 *   printed.
 * demo-as takes public clients only; the confidential client and an AS that
 * compares nothing but exact ports are e2e/oidc-provider-static-client.test.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../support/serve.ts';
import { registerClient, type TestClient } from './as-flow.ts';
import { AS_LOG_MARK, asLinesBetween, markAsLog, runClient, startStack, tempDir, type Stack } from './stack.ts';

const SECRET = 'pre-registered-secret-7f3a9c';
const work = tempDir('client-pre-registered-');
let stack: Stack;
let port: number;
let client: TestClient;
const store = () => `${work.path}/${Math.random()}.json`;
/** Registrations the AS logged other than the administrator's; read after a `markAsLog`, so every earlier line is in. */
const clientRegistrations = () => stack.as.stdout.filter((line) => line.startsWith('register ') && !line.includes(`client_id=${client.clientId} `) && line !== AS_LOG_MARK);

beforeAll(async () => {
    stack = await startStack();
    port = await freeLoopbackPort();
    // The administrator's registration: one redirect URI on a fixed port.
    client = await registerClient(stack.as.origin, { client_name: 'administrator-registered', redirect_uris: [`http://127.0.0.1:${port}/callback`] });
});
afterAll(async () => {
    await stack?.stop();
    work.remove();
});

describe('--client-id and --callback-port against demo-as', () => {
    it('uses the registered client on its registered port: no registration, the token issued to that client_id', async () => {
        const trace = `${work.path}/pre-registered.md`;
        const storePath = store();
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--client-id', client.clientId, '--client-issuer', stack.as.origin, '--callback-port', String(port), '--store', storePath, '--trace', trace]);
        expect(run.stderr, run.stdout).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`Pre-registered client: client_id "${client.clientId}" at "${stack.as.origin}", no dynamic registration (RFC 7591)`);
        expect(run.stdout).toContain('a public client: no secret, PKCE proves the code is ours (token_endpoint_auth_method none)');
        expect(run.stdout).toContain('list-files ✓');
        expect(run.stdout).not.toContain('Registration:');
        await markAsLog(stack.as);
        expect(clientRegistrations()).toEqual([]);
        expect(stack.as.stdout).toContainEqual(expect.stringMatching(new RegExp(`^token grant_type=authorization_code client_id=${client.clientId} status=200`)));
        expect(readFileSync(trace, 'utf8')).not.toContain('/register');
        expect(readFileSync(trace, 'utf8')).toContain('pre-registered client: nothing registered (RFC 7591); token endpoint authentication none');
        // Kept per issuer, for logout's revocation, as a registration is.
        const saved = JSON.parse(readFileSync(storePath, 'utf8')) as { clients: Record<string, { information: { client_id: string }; redirectUri: string }> };
        expect(saved.clients[stack.as.origin]).toEqual({ information: { client_id: client.clientId, issuer: stack.as.origin }, redirectUri: `http://127.0.0.1:${port}/callback` });
    });

    it('without --callback-port the client listens elsewhere, and the AS refuses the unregistered redirect URI', async () => {
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--client-id', client.clientId, '--store', store()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^demo-client: headless: the authorization server answered \/authorize with HTTP 400 instead of a consent page/);
        expect(run.stderr.split('\n')).toHaveLength(1);
        await markAsLog(stack.as);
        expect(clientRegistrations()).toEqual([]);
    });

    it('--client-issuer: a resource server whose authorization server is another gets nothing of the client', async () => {
        const before = await markAsLog(stack.as);
        const elsewhere = 'https://idp.example/realms/demo';
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--client-id', client.clientId, '--client-issuer', elsewhere, '--callback-port', String(port), '--store', store()]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            `demo-client: client "${client.clientId}" is registered at "${elsewhere}" (--client-issuer), but the resource server's authorization server is "${stack.as.origin}"; nothing was sent to it`
        );
        expect(asLinesBetween(stack.as, before, await markAsLog(stack.as)).filter((line) => /^(authorize|token) /.test(line))).toEqual([]);
    });

    it('a taken --callback-port is one line and a non-zero exit: no other port is tried', async () => {
        const taken = createServer();
        await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
        try {
            const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--client-id', client.clientId, '--callback-port', String(port), '--store', store()]);
            expect(run.code).toBe(1);
            expect(run.stdout).toBe('');
            expect(run.stderr).toBe(`demo-client: 127.0.0.1:${port} (--callback-port) is in use by another program; the registered redirect URI names that port, so the client cannot take another`);
        } finally {
            await new Promise((resolve) => taken.close(resolve));
        }
    });

    it('DEMO_CLIENT_SECRET for an AS that takes no client secret is one line, and the secret is sent nowhere', async () => {
        const before = await markAsLog(stack.as);
        const run = await runClient(['call', 'list-files', '--server', stack.mcpUrl, '--client-id', client.clientId, '--callback-port', String(port), '--store', store()], { env: { DEMO_CLIENT_SECRET: SECRET } });
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            `demo-client: DEMO_CLIENT_SECRET is set, but the authorization server takes no client secret at its token endpoint (token_endpoint_auth_methods_supported lists neither client_secret_basic nor client_secret_post); unset it to use client "${client.clientId}" as a public client`
        );
        expect(run.stdout).not.toContain(SECRET);
        expect(asLinesBetween(stack.as, before, await markAsLog(stack.as)).filter((line) => /^(authorize|token) /.test(line))).toEqual([]);
    });
});

describe.concurrent('the flags on the command line', () => {
    it('a secret without --client-id is refused before anything is sent, without showing it', async () => {
        const run = await runClient(['tools', '--server', 'http://127.0.0.1:9/mcp'], { env: { DEMO_CLIENT_SECRET: SECRET } });
        expect(run.code).toBe(2);
        expect(run.stderr).toBe('demo-client: DEMO_CLIENT_SECRET is set but --client-id is not: the secret belongs to the client the administrator registered; pass its id with --client-id');
    });

    it('--help lists both flags and the variable', async () => {
        const run = await runClient(['--help']);
        expect(run.stdout).toMatch(/--client-id <id> .*\n.*DEMO_CLIENT_SECRET/);
        expect(run.stdout).toContain('--callback-port <n>');
    });
});
