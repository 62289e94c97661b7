/**
 * Client, the loopback callback listener, with the test as the user's browser
 * (interactive mode) against an AS that redirects at once:
 * - `state` missing, wrong or repeated → a 400 static page, the pending
 *   authorization keeps waiting; a state is usable once — a replayed
 *   callback is refused and its code is never redeemed;
 * - a flood of bad callbacks is one line at once and one counted line at
 *   the end, in the terminal, and one arrow with its count in the trace;
 * - the listener is bound to 127.0.0.1 only;
 * - --auth-timeout ends the wait with a clear message;
 * - when `open` cannot launch a browser, the URL is printed and the client
 *   keeps waiting; with no display it says at once how long it waits and
 *   which ports to forward over SSH for a browser on another machine.
 * Every test runs against the same hostile pair, started once (same flags):
 * each client run registers its own client, so a test reads only the AS's
 * token lines for the client_id its own authorization URL carries.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackUrlFor, eventually, OPEN_PREFIX, printedUrls, startClient, startHostile, tokenLines, type LiveClient, type Servers } from './client-harness.ts';
import { tempDir } from './stack.ts';
import { acceptsConnection } from './tcp.ts';

let servers: Servers;
const store = tempDir('client-callback-');
const storeFile = () => `${store.path}/${Math.random()}.json`;

beforeAll(async () => {
    servers = await startHostile([]);
});
afterAll(async () => {
    await servers?.stop();
    store.remove();
});

/** The AS's `token …` lines for the client this run registered (named in its first authorization URL). */
const tokenLinesOf = (client: LiveClient) => {
    const clientId = printedUrls(client)[0]!.searchParams.get('client_id');
    return tokenLines(servers.as).filter((line) => line.includes(` client_id=${clientId} `));
};

const withQuery = (url: URL, edit: (params: URLSearchParams) => void) => {
    const changed = new URL(url);
    edit(changed.searchParams);
    return changed;
};

describe('state (RFC 6749 §10.12)', () => {
    it('refuses missing, wrong and repeated state, keeps waiting, and takes each state once', async () => {
        const client = startClient(['call', 'write-file', '--server', servers.mcpUrl, '--interactive', '--no-open', '--store', storeFile()]);
        await client.line(/^Open this URL in your browser: /);
        const first = await callbackUrlFor(printedUrls(client)[0]!);

        for (const forged of [
            withQuery(first, (params) => params.delete('state')),
            withQuery(first, (params) => params.set('state', 'not-the-state')),
            withQuery(first, (params) => params.append('state', first.searchParams.get('state')!))
        ]) {
            const refused = await fetch(forged);
            expect(refused.status).toBe(400);
            expect(await refused.text()).toContain('Authorization response not accepted');
        }
        expect(tokenLinesOf(client)).toEqual([]);

        expect((await fetch(first)).status).toBe(200);
        // write-file needs files:write: the step-up starts a second authorization.
        await eventually(() => expect(printedUrls(client)).toHaveLength(2));
        const replay = await fetch(first);
        expect(replay.status).toBe(400);
        const second = await callbackUrlFor(printedUrls(client)[1]!);
        expect((await fetch(second)).status).toBe(200);

        expect(await client.exit).toBe(0);
        expect(client.stderr).toEqual([
            'demo-client: ignored a callback: it carries no state',
            'demo-client: ignored a callback: its state does not match the pending authorization',
            'demo-client: ignored a callback: the parameter state appears more than once',
            // The replay is turned away for a reason already given: counted, and said once when the listener closes.
            'demo-client: ignored 1 more callback for the same reason: its state does not match the pending authorization'
        ]);
        // Two authorizations, two codes redeemed; the replayed code never reached /token again.
        await eventually(() => expect(tokenLinesOf(client)).toHaveLength(2));
        expect(client.stdout).toContain('· write-file ✓');
    });
});

describe('a flood of bad callbacks', () => {
    it('is one line with a count in the terminal, and one arrow with a count in the trace', async () => {
        const trace = `${store.path}/flood-trace.md`;
        const client = startClient(['call', 'list-files', '--server', servers.mcpUrl, '--interactive', '--no-open', '--store', storeFile(), '--trace', trace]);
        await client.line(/^Open this URL in your browser: /);
        const callback = await callbackUrlFor(printedUrls(client)[0]!);
        const FLOOD = 200;
        for (let n = 0; n < FLOOD; n += 20) {
            const batch = Array.from({ length: 20 }, (_, i) => fetch(withQuery(callback, (params) => params.set('state', `forged-${n + i}`))));
            for (const refused of await Promise.all(batch)) expect(refused.status).toBe(400);
        }
        expect((await fetch(callback)).status).toBe(200);
        expect(await client.exit).toBe(0);

        expect(client.stderr).toEqual([
            'demo-client: ignored a callback: its state does not match the pending authorization',
            `demo-client: ignored ${FLOOD - 1} more callbacks for the same reason: its state does not match the pending authorization`
        ]);
        const drawn = readFileSync(trace, 'utf8');
        const callbacks = drawn.split('\n').filter((line) => /^ {4}U->>L: /.test(line));
        expect(callbacks).toHaveLength(2);
        expect(drawn).toMatch(/^ {4}L-->>U: 400 and 199 more turned away the same way$/m);
        expect(drawn.match(/Note over C: callback turned away/g)).toHaveLength(1);
        // Only the drawn forgery took a label: the real callback's state is the second one seen, not the 201st.
        expect(drawn).toMatch(/^ {4}U->>L: \d+\. GET \/callback code=code#35;1, state=state#35;2\b/m);
    });
});

describe('the listener', () => {
    it('is bound to 127.0.0.1 only, and serves nothing but /callback', async () => {
        const client = startClient(['call', 'list-files', '--server', servers.mcpUrl, '--interactive', '--no-open', '--store', storeFile()]);
        await client.line(/^Open this URL in your browser: /);
        const redirect = new URL(printedUrls(client)[0]!.searchParams.get('redirect_uri')!);
        const port = Number(redirect.port);
        expect(redirect.hostname).toBe('127.0.0.1');
        expect(redirect.pathname).toBe('/callback');

        expect(await acceptsConnection('127.0.0.1', port)).toBe(true);
        expect(await acceptsConnection('127.0.0.2', port)).toBe(false);
        expect(await acceptsConnection('::1', port)).toBe(false);
        expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);

        expect((await fetch(await callbackUrlFor(printedUrls(client)[0]!))).status).toBe(200);
        expect(await client.exit).toBe(0);
    });

    it('ends the wait after --auth-timeout with a clear message', async () => {
        const client = startClient(['call', 'list-files', '--server', servers.mcpUrl, '--interactive', '--no-open', '--auth-timeout', '1', '--store', storeFile()]);
        expect(await client.exit).toBe(1);
        expect(printedUrls(client)).toHaveLength(1);
        expect(client.stderr).toEqual(['demo-client: no authorization response arrived within 1 s (--auth-timeout); nothing was granted']);
        expect(tokenLinesOf(client)).toEqual([]);
    });
});

describe('interactive consent', () => {
    it('prints the URL, says when no browser could be opened, and keeps waiting', async () => {
        // No PATH and no display: the `open` launcher cannot start a browser.
        const client = startClient(['call', 'list-files', '--server', servers.mcpUrl, '--interactive', '--store', storeFile()], { PATH: '/nonexistent', DISPLAY: '', WAYLAND_DISPLAY: '' });
        const line = await client.line(/^Open this URL in your browser: http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
        await eventually(() => expect(client.stderr.join('\n')).toMatch(/could not open a browser \(.+\); open the URL above yourself — still waiting for the callback/));

        expect((await fetch(await callbackUrlFor(new URL(line.slice(OPEN_PREFIX.length))))).status).toBe(200);
        expect(await client.exit).toBe(0);
        expect(client.stdout).toContain('· list-files ✓');
    });
    it('no display: says at once how long it waits and which ports to forward for a browser on another machine', async () => {
        // No display, and a BROWSER command that fails: nothing can open the page on this machine.
        const client = startClient(['call', 'list-files', '--server', servers.mcpUrl, '--interactive', '--auth-timeout', '120', '--store', storeFile()], {
            DISPLAY: '',
            WAYLAND_DISPLAY: '',
            BROWSER: 'false'
        });
        const line = await client.line(/^Open this URL in your browser: /);
        const authorizationUrl = new URL(line.slice(OPEN_PREFIX.length));
        const callbackPort = new URL(authorizationUrl.searchParams.get('redirect_uri')!).port;
        const asPort = new URL(servers.as.origin).port;

        const after = () => client.stdout.slice(client.stdout.indexOf(line) + 1, client.stdout.indexOf(line) + 5);
        await eventually(() => expect(after()).toHaveLength(4));
        expect(after()).toEqual([
            'No display here (DISPLAY and WAYLAND_DISPLAY are unset), so a browser may not open on this machine.',
            'Waiting up to 120 s (--auth-timeout) for the authorization response.',
            'The URL can be opened in a browser on another machine: first forward these ports to this one over SSH, from that machine:',
            `    ssh -L ${asPort}:127.0.0.1:${asPort} -L ${callbackPort}:127.0.0.1:${callbackPort} <user>@<this machine>`
        ]);
        // The failing BROWSER command is reported too, and the client keeps waiting.
        await eventually(() => expect(client.stderr.join('\n')).toMatch(/could not open a browser \(.+\); open the URL above yourself — still waiting for the callback/));

        expect((await fetch(await callbackUrlFor(authorizationUrl))).status).toBe(200);
        expect(await client.exit).toBe(0);
    });
});
