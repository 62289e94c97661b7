/**
 * Client, mix-up defence (RFC 9207; SEP-2468), against a hostile AS:
 * - an authorization response whose `iss` is wrong, missing though advertised,
 *   sent though not advertised (and wrong), or off by a trailing slash or by
 *   letter case is refused in one line naming the expected issuer;
 * - nothing is redeemed: no token request reaches the attacker;
 * - the attacker's text (error_description, error_uri, the received iss)
 *   appears nowhere — not on stdout, stderr, or the page served to the browser;
 * - when `iss` validates, an error response's code and description are shown,
 *   as plain text; and a missing `iss` that was never advertised is accepted;
 * - scripts/mix-up-attack.ts (`npm run mix-up`) demonstrates the refusal and exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd } from '../support/spawn.ts';
import { behave, callbackUrlFor, eventually, OPEN_PREFIX, startClient, startHostile, type Servers } from './client-harness.ts';
import { runClient, tempDir } from './stack.ts';

const ATTACKER_TEXT = 'ATTACKER-7f3a says: session expired <script>alert(1)</script> \u001b[31mred';
const ATTACKER_TRACES = ['ATTACKER-7f3a', 'session expired', 'attacker.example', 'honest-as.example', '<script>', '\u001b'];

// One hostile pair for the file: each test switches the AS to its misbehaviour (the flags it would have been
// started with) and reads only the AS log lines of its own run.
let servers: Servers;
const store = tempDir('client-mix-up-');

beforeAll(async () => {
    servers = await startHostile([]);
});
afterAll(async () => {
    await servers?.stop();
    store.remove();
});

/** The hostile AS as if started with `flags` (the rest at their defaults). */
const hostileAsWith = (flags: Record<string, string>) => behave(servers.as, { iss: 'exact', 'advertise-iss': 'yes', respond: 'code', 'attacker-text': null, ...flags });

/** The line the hostile AS logs for a request of the test's own, an `/authorize` for no client. */
const MARK = 'authorize client_id=- status=400';

/**
 * The AS's log lines from `from` on, once every request answered so far is in: the hostile AS logs each request
 * before answering it, so once the answer to a request of the test's own is back and its line is in, so is every
 * earlier line.
 */
async function asLinesSince(from: number): Promise<string[]> {
    await fetch(`${servers.as.origin}/authorize`);
    await eventually(() => expect(servers.as.stdout.slice(from)).toContain(MARK));
    return servers.as.stdout.slice(from, servers.as.stdout.lastIndexOf(MARK));
}

const tokenLines = (lines: string[]) => lines.filter((line) => line.startsWith('token '));
const registerLines = (lines: string[]) => lines.filter((line) => line.startsWith('register ') && line.includes('status=201'));

const expectNoAttackerText = (text: string) => {
    for (const trace of ATTACKER_TRACES) expect(text).not.toContain(trace);
};

describe('refusing a bad iss', () => {
    it.each([
        ['wrong', { iss: 'wrong' }, /; iss names a different issuer/],
        ['wrong, on an error response', { iss: 'wrong', respond: 'error' }, /; iss names a different issuer/],
        ['missing though advertised', { iss: 'missing' }, /; iss is missing, though the authorization server advertises authorization_response_iss_parameter_supported/],
        ['sent (wrong) though not advertised', { iss: 'wrong', 'advertise-iss': 'no' }, /; iss names a different issuer/],
        ['off by a trailing slash', { iss: 'trailing-slash' }, /; iss differs from the expected issuer by a trailing slash/],
        ['off by letter case', { iss: 'case' }, /; iss differs from the expected issuer in letter case/]
    ])('iss %s: one line, nothing redeemed, no attacker text', async (_name, asFlags, difference) => {
        await hostileAsWith({ ...asFlags, 'attacker-text': ATTACKER_TEXT });
        const from = servers.as.stdout.length;
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', `${store.path}/${Math.random()}.json`]);

        expect(run.code).toBe(1);
        const lines = run.stderr.split('\n').filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`refused the authorization response: expected iss "${servers.as.origin}"`);
        expect(lines[0]).toMatch(difference);
        expect(lines[0]).toContain('Nothing was redeemed.');
        expect(run.stdout).toContain('Callback on 127.0.0.1: state matches the pending authorization');
        expectNoAttackerText(`${run.stdout}\n${run.stderr}`);
        // The attacker saw the registration and the authorization request, but no token request.
        const asLines = await asLinesSince(from);
        expect(registerLines(asLines)).toHaveLength(1);
        expect(asLines.some((line) => line.startsWith('authorize ') && line.includes('status=302'))).toBe(true);
        expect(tokenLines(asLines)).toEqual([]);
    });
});

describe('accepting what RFC 9207 allows', () => {
    it('no iss from a server that does not advertise it: the code is redeemed', async () => {
        await hostileAsWith({ iss: 'missing', 'advertise-iss': 'no' });
        const from = servers.as.stdout.length;
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', `${store.path}/${Math.random()}.json`]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('no iss: this authorization server does not advertise it');
        expect(tokenLines(await asLinesSince(from))).toHaveLength(1);
    });

    it('an error response whose iss validates: code and description shown as plain text', async () => {
        await hostileAsWith({ respond: 'error', 'attacker-text': 'denied by\u001b[2J "policy"\r\nforged line' });
        const from = servers.as.stdout.length;
        const run = await runClient(['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', `${store.path}/${Math.random()}.json`]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe('demo-client: the authorization server refused the authorization: access_denied — "denied by [2J \\"policy\\" forged line"');
        expect(tokenLines(await asLinesSince(from))).toEqual([]);
        // The error text is shown only because iss validated first, and the output says so.
        expect(run.stdout).toMatch(/iss "http:\/\/127\.0\.0\.1:\d+" is the expected issuer ✓/);
    });
});

describe('the page the browser sees', () => {
    it('is static on a wrong-iss error callback, and the attacker text reaches no output', async () => {
        await hostileAsWith({ iss: 'wrong', respond: 'error', 'attacker-text': ATTACKER_TEXT });
        const from = servers.as.stdout.length;
        const client = startClient(['call', 'list-files', '--server', servers.mcpUrl, '--interactive', '--no-open', '--store', `${store.path}/${Math.random()}.json`]);
        const line = await client.line(/^Open this URL in your browser: /);
        const callback = await callbackUrlFor(new URL(line.slice(OPEN_PREFIX.length)));
        expect(callback.searchParams.get('error_description')).toBe(ATTACKER_TEXT);

        const page = await fetch(callback);
        const body = await page.text();
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(body).toContain('Authorization response received');
        expectNoAttackerText(body);

        expect(await client.exit).toBe(1);
        expect(client.stderr.join('\n')).toMatch(/refused the authorization response: expected iss .*iss names a different issuer/);
        expectNoAttackerText(`${client.stdout.join('\n')}\n${client.stderr.join('\n')}`);
        expect(tokenLines(await asLinesSince(from))).toEqual([]);
    });
});

describe('npm run mix-up (scripts/mix-up-attack.ts)', () => {
    it('stages the attack, shows the refusal and exits 0', async () => {
        const run = await runToEnd('scripts/mix-up-attack.ts', [], { env: { NO_COLOR: '1' } });
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('refused the authorization response');
        expect(run.stdout).toMatch(/token requests that reached the attacker: 0; attacker text in the client's output: no/);
        expect(run.stdout).toContain('The client refused the mix-up correctly ✓');
    });
});
