/**
 * The bad-input suite: hostile requests against the real demo-as, one table
 * row each, across registration, /authorize, the consent decision and /token.
 * Every row asserts the exact status and error code, where the error was
 * delivered (JSON, an HTML error page, or a redirect), that nothing was
 * redirected anywhere but the registered redirect URI, and (where the input
 * carries a marker) that the answer does not echo it. After the table the AS
 * must still complete a normal flow; then a seeded random-input run checks
 * that no input at all produces a 5xx or ends the process.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import {
    approvedCode,
    completeFlow,
    DEFAULT_RESOURCE,
    exchangeCode,
    openConsent,
    authorizeUrl,
    pkcePair,
    postForm,
    postJson,
    refreshTokens,
    registerClient,
    submitDecision,
    type ConsentPage,
    type Pkce,
    type TestClient
} from './as-flow.ts';

interface Server {
    as: RunningServer;
    origin: string;
    /** A client with one registered redirect URI. */
    client: TestClient;
    /** A second client, for cross-client rows. */
    other: TestClient;
    /** A client with two registered redirect URIs. */
    twoUris: TestClient;
    pkce: Pkce;
}

let main: Server;
let shortLived: Server;

async function startAs(args: string[]): Promise<Server> {
    const as = await startServer('demo-as/main.ts', ['--port', '0', ...args]);
    return {
        as,
        origin: as.origin,
        client: await registerClient(as.origin, { redirect_uris: ['http://127.0.0.1:40001/callback'] }),
        other: await registerClient(as.origin, { redirect_uris: ['http://127.0.0.1:40002/callback'] }),
        twoUris: await registerClient(as.origin, { redirect_uris: ['http://127.0.0.1:40003/a', 'http://127.0.0.1:40003/b'] }),
        pkce: pkcePair()
    };
}

beforeAll(async () => {
    [main, shortLived] = await Promise.all([startAs([]), startAs(['--code-ttl', '1', '--consent-ttl', '1'])]);
});

afterAll(async () => {
    await Promise.all([main?.as.stop(), shortLived?.as.stop()]);
});

// ─── Request builders ──────────────────────────────────────────────────────

type Via = 'json' | 'page' | 'redirect';

interface Expected {
    status: number;
    error: string;
    via: Via;
    /** For redirects: the state expected on the callback (null: none). Default 'row-state'. */
    state?: string | null;
}

interface Row {
    name: string;
    server?: 'short-lived';
    send(s: Server): Promise<Response>;
    expected: Expected;
    /** Text from the request that must not come back in the answer. */
    mustNotEcho?: string;
}

const json = (status: number, error: string): Expected => ({ status, error, via: 'json' });
const page = (error: string): Expected => ({ status: 400, error, via: 'page' });
const redirect = (error: string, state: string | null = 'row-state'): Expected => ({ status: 302, error, via: 'redirect', state });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function register(s: Server, body: unknown): Promise<Response> {
    return postJson(`${s.origin}/register`, body);
}

function registerRaw(s: Server, body: string, headers: Record<string, string>): Promise<Response> {
    return fetch(`${s.origin}/register`, { method: 'POST', headers, body, redirect: 'manual' });
}

/** A valid authorization request for `s.client`, changed by `overrides` (undefined removes) plus `extra` pairs. */
function authorizeQuery(s: Server, overrides: Record<string, string | undefined> = {}, extra: [string, string][] = []): string {
    const fields: Record<string, string | undefined> = {
        response_type: 'code',
        client_id: s.client.clientId,
        redirect_uri: s.client.redirectUri,
        code_challenge: s.pkce.challenge,
        code_challenge_method: 'S256',
        scope: 'files:read',
        resource: DEFAULT_RESOURCE,
        state: 'row-state',
        ...overrides
    };
    const pairs = Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return new URLSearchParams([...pairs, ...extra]).toString();
}

function authorize(s: Server, overrides: Record<string, string | undefined> = {}, extra: [string, string][] = []): Promise<Response> {
    return fetch(`${s.origin}/authorize?${authorizeQuery(s, overrides, extra)}`, { redirect: 'manual' });
}

function authorizeAccepting(s: Server, accept: string, overrides: Record<string, string | undefined> = {}): Promise<Response> {
    return fetch(`${s.origin}/authorize?${authorizeQuery(s, overrides)}`, { headers: { accept }, redirect: 'manual' });
}

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function authorizeRawQuery(s: Server, query: string): Promise<Response> {
    return fetch(`${s.origin}/authorize?${query}`, { redirect: 'manual' });
}

function consent(s: Server): Promise<ConsentPage> {
    return openConsent(authorizeUrl(s.origin, { client: s.client, pkce: pkcePair(), state: 'row-state' }));
}

function decide(s: Server, fields: [string, string][], headers: Record<string, string> = {}): Promise<Response> {
    return postForm(`${s.origin}/authorize/decision`, fields, headers);
}

function token(s: Server, fields: Record<string, string> | [string, string][] | string, headers: Record<string, string> = {}): Promise<Response> {
    return postForm(`${s.origin}/token`, fields, headers);
}

/** Registers one redirect URI list; the row expects invalid_redirect_uri and no echo of the first entry. */
function redirectUriRow(name: string, redirectUris: unknown, mustNotEcho?: string): Row {
    return {
        name: `register: ${name}`,
        send: (s) => register(s, { client_name: 'row', redirect_uris: redirectUris }),
        expected: json(400, 'invalid_redirect_uri'),
        mustNotEcho: mustNotEcho ?? (Array.isArray(redirectUris) && typeof redirectUris[0] === 'string' && redirectUris[0] !== '' ? redirectUris[0] : undefined)
    };
}

function metadataRow(name: string, body: unknown): Row {
    return { name: `register: ${name}`, send: (s) => register(s, body), expected: json(400, 'invalid_client_metadata') };
}

const GOOD_URI = 'http://127.0.0.1:40009/callback';

// ─── The table ─────────────────────────────────────────────────────────────

const registrationRows: Row[] = [
    redirectUriRow('look-alike host 127.0.0.1.example.com', ['http://127.0.0.1.example.com/cb']),
    redirectUriRow('look-alike host localhost.example.com', ['http://localhost.example.com/cb']),
    redirectUriRow('trailing-dot host localhost.', ['http://localhost./cb']),
    redirectUriRow('userinfo hiding the real host', ['http://127.0.0.1@evil.example/cb']),
    redirectUriRow('userinfo on a loopback host', ['http://attacker@127.0.0.1:40010/cb']),
    redirectUriRow('user and password on a loopback host', ['http://a:b@127.0.0.1:40010/cb']),
    redirectUriRow('javascript: scheme', ['javascript:alert(document.domain)//']),
    redirectUriRow('data: scheme', ['data:text/html,<script>alert(1)</script>']),
    redirectUriRow('file: scheme', ['file:///etc/passwd']),
    redirectUriRow('private-use scheme', ['com.example.app:/oauth2redirect']),
    redirectUriRow('ftp scheme on loopback', ['ftp://127.0.0.1/cb']),
    redirectUriRow('relative path', ['/callback']),
    redirectUriRow('protocol-relative URL', ['//127.0.0.1:40010/cb']),
    redirectUriRow('empty string', ['']),
    redirectUriRow('a number instead of a string', [42]),
    redirectUriRow('an object instead of a string', [{ href: GOOD_URI }]),
    redirectUriRow('null entry', [null]),
    redirectUriRow('one bad entry among good ones', [GOOD_URI, 'https://evil.example/cb', 'http://[::1]:40010/cb'], 'evil.example'),
    redirectUriRow('redirect_uris as a string', GOOD_URI, '40009'),
    redirectUriRow('redirect_uris empty', []),
    redirectUriRow('redirect_uris missing', undefined),
    redirectUriRow('short IPv4 form 127.1', ['http://127.1:40010/cb']),
    redirectUriRow('decimal IPv4 form 2130706433', ['http://2130706433:40010/cb']),
    redirectUriRow('hex IPv4 form 0x7f000001', ['http://0x7f000001:40010/cb']),
    redirectUriRow('octal IPv4 form 0177.0.0.1', ['http://0177.0.0.1:40010/cb']),
    redirectUriRow('other loopback address 127.0.0.2', ['http://127.0.0.2:40010/cb']),
    redirectUriRow('uncompressed IPv6 loopback', ['http://[0:0:0:0:0:0:0:1]:40010/cb']),
    redirectUriRow('IPv4-mapped IPv6 loopback', ['http://[::ffff:127.0.0.1]:40010/cb']),
    redirectUriRow('unspecified address 0.0.0.0', ['http://0.0.0.0:40010/cb']),
    redirectUriRow('upper-case LOCALHOST', ['http://LOCALHOST:40010/cb']),
    redirectUriRow('backslashes', ['http:\\\\127.0.0.1:40010\\cb']),
    redirectUriRow('explicit default port', ['http://127.0.0.1:80/cb']),
    redirectUriRow('dot segments', ['http://127.0.0.1:40010/a/../cb']),
    redirectUriRow('fragment', ['http://127.0.0.1:40010/cb#frag']),
    redirectUriRow('query that pre-sets code and iss', ['http://127.0.0.1:40010/cb?code=x&iss=http://evil.example']),
    redirectUriRow('newline inside', ['http://127.0.0.1:40010/c\nb']),
    redirectUriRow('tab inside the host', ['http://127.0.0.1\t.evil.example:40010/cb'], 'evil.example'),
    redirectUriRow('NUL byte', ['http://127.0.0.1:40010/cb\u0000.evil']),
    redirectUriRow('space inside', ['http://127.0.0.1:40010/c b']),
    redirectUriRow('overlong (600 characters)', [`http://127.0.0.1:40010/${'a'.repeat(600)}`]),
    redirectUriRow('seventeen redirect URIs (cap is sixteen)', Array.from({ length: 17 }, (_, i) => `http://127.0.0.1:${40010 + i}/cb`), '40026'),
    {
        name: 'register: __proto__ carrying redirect_uris',
        send: (s) => registerRaw(s, `{"client_name":"row","__proto__":{"redirect_uris":["${GOOD_URI}"]}}`, { 'content-type': 'application/json' }),
        expected: json(400, 'invalid_redirect_uri')
    },
    metadataRow('client_name not a string', { client_name: ['x'], redirect_uris: [GOOD_URI] }),
    metadataRow('client_name with a right-to-left override', { client_name: 'Trusted\u202eexe.app', redirect_uris: [GOOD_URI] }),
    ...(
        [
            ['U+061C ARABIC LETTER MARK', 'Trusted\u061cApp'],
            ['U+200B ZERO WIDTH SPACE', 'Trusted\u200bApp'],
            ['U+200D ZERO WIDTH JOINER', 'Trusted\u200dApp'],
            ['U+2060 WORD JOINER', 'Trusted\u2060App'],
            ['U+FEFF ZERO WIDTH NO-BREAK SPACE', '\ufeffTrusted App'],
            ['U+180E MONGOLIAN VOWEL SEPARATOR', 'Trusted\u180eApp'],
            ['U+00AD SOFT HYPHEN', 'Trus\u00adted App'],
            ['U+2066 LEFT-TO-RIGHT ISOLATE', 'Trusted \u2066App\u2069'],
            ['U+3164 HANGUL FILLER', 'Trusted\u3164App'],
            ['U+FE0F VARIATION SELECTOR-16', 'Trusted\ufe0fApp'],
            ['U+E0041 TAG LATIN CAPITAL LETTER A', 'Trusted App\u{e0041}\u{e0042}'],
            ['U+E0001 LANGUAGE TAG', 'Trusted App\u{e0001}'],
            ['U+2028 LINE SEPARATOR', 'Trusted\u2028App'],
            ['a lone surrogate', 'Trusted\ud800App']
        ] as const
    ).map(([character, name]) => metadataRow(`client_name with ${character}`, { client_name: name, redirect_uris: [GOOD_URI] })),
    metadataRow('client_name over 100 characters', { client_name: 'n'.repeat(101), redirect_uris: [GOOD_URI] }),
    metadataRow('private_key_jwt auth method', { redirect_uris: [GOOD_URI], token_endpoint_auth_method: 'private_key_jwt' }),
    metadataRow('auth method not a string', { redirect_uris: [GOOD_URI], token_endpoint_auth_method: ['client_secret_post'] }),
    metadataRow('implicit grant type', { redirect_uris: [GOOD_URI], grant_types: ['implicit'] }),
    metadataRow('token response type', { redirect_uris: [GOOD_URI], response_types: ['token'] }),
    metadataRow('scope not a string', { redirect_uris: [GOOD_URI], scope: 7 }),
    metadataRow('a JSON array body', [{ redirect_uris: [GOOD_URI] }]),
    {
        name: 'register: malformed JSON',
        send: (s) => registerRaw(s, '{"redirect_uris": ["http://127.0.0.1:1/cb"', { 'content-type': 'application/json' }),
        expected: json(400, 'invalid_client_metadata')
    },
    {
        name: 'register: a bare JSON string',
        send: (s) => registerRaw(s, '"http://127.0.0.1:1/cb"', { 'content-type': 'application/json' }),
        expected: json(400, 'invalid_client_metadata')
    },
    {
        name: 'register: text/plain body',
        send: (s) => registerRaw(s, JSON.stringify({ redirect_uris: [GOOD_URI] }), { 'content-type': 'text/plain' }),
        expected: json(400, 'invalid_client_metadata')
    },
    {
        name: 'register: body over the 16 kB limit',
        send: (s) => register(s, { client_name: 'x', redirect_uris: [GOOD_URI], padding: 'p'.repeat(20_000) }),
        expected: json(413, 'invalid_request')
    },
    {
        name: 'register: gzip-compressed body',
        send: (s) =>
            fetch(`${s.origin}/register`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
                body: gzipSync(JSON.stringify({ redirect_uris: [GOOD_URI] }))
            }),
        expected: json(415, 'invalid_request')
    },
    {
        name: 'register: GET instead of POST',
        send: (s) => fetch(`${s.origin}/register`, { redirect: 'manual' }),
        expected: json(405, 'method_not_allowed')
    }
];

const authorizeRows: Row[] = [
    { name: 'authorize: missing client_id', send: (s) => authorize(s, { client_id: undefined }), expected: page('invalid_client') },
    {
        name: 'authorize: unknown client_id',
        send: (s) => authorize(s, { client_id: 'attacker-<b>client</b>' }),
        expected: page('invalid_client'),
        mustNotEcho: 'attacker'
    },
    {
        name: 'authorize: unknown client_id, asking for JSON',
        send: (s) => authorizeAccepting(s, 'application/json', { client_id: 'attacker-<b>client</b>' }),
        expected: json(400, 'invalid_client'),
        mustNotEcho: 'attacker'
    },
    { name: 'authorize: missing client_id, asking for JSON', send: (s) => authorizeAccepting(s, 'application/json', { client_id: undefined }), expected: json(400, 'invalid_client') },
    { name: "authorize: unknown client_id, a browser's Accept", send: (s) => authorizeAccepting(s, BROWSER_ACCEPT, { client_id: 'unknown' }), expected: page('invalid_client') },
    {
        name: 'authorize: unregistered redirect_uri, asking for JSON (still the page)',
        send: (s) => authorizeAccepting(s, 'application/json', { redirect_uri: 'https://evil.example/steal' }),
        expected: page('invalid_redirect_uri')
    },
    { name: 'authorize: client_id twice', send: (s) => authorize(s, {}, [['client_id', s.other.clientId]]), expected: page('invalid_request') },
    {
        name: 'authorize: unregistered redirect_uri',
        send: (s) => authorize(s, { redirect_uri: 'https://evil.example/steal' }),
        expected: page('invalid_redirect_uri'),
        mustNotEcho: 'evil.example'
    },
    { name: 'authorize: registered redirect_uri plus a suffix', send: (s) => authorize(s, { redirect_uri: `${s.client.redirectUri}/more` }), expected: page('invalid_redirect_uri') },
    { name: 'authorize: registered redirect_uri plus a trailing slash', send: (s) => authorize(s, { redirect_uri: `${s.client.redirectUri}/` }), expected: page('invalid_redirect_uri') },
    { name: 'authorize: redirect_uri in upper case', send: (s) => authorize(s, { redirect_uri: s.client.redirectUri.toUpperCase() }), expected: page('invalid_redirect_uri') },
    { name: 'authorize: redirect_uri on another port', send: (s) => authorize(s, { redirect_uri: s.client.redirectUri.replace('40001', '40002') }), expected: page('invalid_redirect_uri') },
    { name: 'authorize: redirect_uri with an added query', send: (s) => authorize(s, { redirect_uri: `${s.client.redirectUri}?next=evil` }), expected: page('invalid_redirect_uri') },
    { name: 'authorize: redirect_uri percent-encoded differently', send: (s) => authorize(s, { redirect_uri: s.client.redirectUri.replace('callback', '%63allback') }), expected: page('invalid_redirect_uri') },
    { name: "authorize: another client's redirect_uri", send: (s) => authorize(s, { redirect_uri: s.other.redirectUri }), expected: page('invalid_redirect_uri') },
    { name: 'authorize: redirect_uri twice', send: (s) => authorize(s, {}, [['redirect_uri', s.client.redirectUri]]), expected: page('invalid_redirect_uri') },
    {
        name: 'authorize: redirect_uri omitted while two are registered',
        send: (s) => authorize(s, { client_id: s.twoUris.clientId, redirect_uri: undefined }),
        expected: page('invalid_redirect_uri')
    },
    {
        name: 'authorize: undecodable percent-encoding',
        send: (s) => authorizeRawQuery(s, `${authorizeQuery(s)}&scope=%zz`),
        expected: page('invalid_request')
    },
    { name: 'authorize: response_type=token', send: (s) => authorize(s, { response_type: 'token' }), expected: redirect('unsupported_response_type') },
    { name: 'authorize: response_type missing', send: (s) => authorize(s, { response_type: undefined }), expected: redirect('invalid_request') },
    { name: 'authorize: code_challenge missing', send: (s) => authorize(s, { code_challenge: undefined }), expected: redirect('invalid_request') },
    { name: 'authorize: code_challenge_method=plain', send: (s) => authorize(s, { code_challenge_method: 'plain' }), expected: redirect('invalid_request') },
    { name: 'authorize: code_challenge_method missing (means plain)', send: (s) => authorize(s, { code_challenge_method: undefined }), expected: redirect('invalid_request') },
    { name: 'authorize: code_challenge not a SHA-256 digest', send: (s) => authorize(s, { code_challenge: 'short' }), expected: redirect('invalid_request') },
    { name: 'authorize: unknown scope', send: (s) => authorize(s, { scope: 'files:read openid' }), expected: redirect('invalid_scope') },
    { name: 'authorize: only the never-granted files:admin', send: (s) => authorize(s, { scope: 'files:admin' }), expected: redirect('invalid_scope') },
    { name: 'authorize: scope with a double space', send: (s) => authorize(s, { scope: 'files:read  files:write' }), expected: redirect('invalid_scope') },
    { name: 'authorize: resource missing', send: (s) => authorize(s, { resource: undefined }), expected: redirect('invalid_target') },
    { name: 'authorize: resource with a fragment', send: (s) => authorize(s, { resource: `${DEFAULT_RESOURCE}#x` }), expected: redirect('invalid_target') },
    { name: 'authorize: resource with a javascript: scheme', send: (s) => authorize(s, { resource: 'javascript:alert(1)' }), expected: redirect('invalid_target') },
    { name: 'authorize: state twice', send: (s) => authorize(s, {}, [['state', 'second-state']]), expected: redirect('invalid_request', null) },
    { name: 'authorize: scope twice', send: (s) => authorize(s, {}, [['scope', 'files:write']]), expected: redirect('invalid_request') },
    { name: 'authorize: state over 512 characters', send: (s) => authorize(s, { state: 's'.repeat(513) }), expected: redirect('invalid_request', null) },
    {
        name: 'authorize: markup in state is returned only URL-encoded on the redirect',
        send: (s) => authorize(s, { response_type: 'token', state: '"><script>alert(1)</script>' }),
        expected: redirect('unsupported_response_type', '"><script>alert(1)</script>')
    },
    { name: 'authorize: POST instead of GET', send: (s) => fetch(`${s.origin}/authorize?${authorizeQuery(s)}`, { method: 'POST', redirect: 'manual' }), expected: json(405, 'method_not_allowed') }
];

const decisionRows: Row[] = [
    {
        name: 'decision: forged request_id with a real cookie',
        send: async (s) => {
            const real = await consent(s);
            return decide(s, [['request_id', 'A'.repeat(43)], ['decision', 'approve']], { cookie: real.cookie ?? '' });
        },
        expected: page('invalid_consent')
    },
    {
        name: 'decision: request_id missing',
        send: async (s) => decide(s, [['decision', 'approve']], { cookie: (await consent(s)).cookie ?? '' }),
        expected: page('invalid_consent')
    },
    {
        name: 'decision: right request_id without the cookie (cross-site post)',
        send: async (s) => submitDecision(s.origin, await consent(s), 'approve', { cookie: null }),
        expected: page('invalid_consent')
    },
    {
        name: "decision: right request_id with another page's cookie",
        send: async (s) => {
            const victim = await consent(s);
            const attacker = await consent(s);
            return submitDecision(s.origin, victim, 'approve', { cookie: attacker.cookie });
        },
        expected: page('invalid_consent')
    },
    {
        name: 'decision: replayed after a successful approve',
        send: async (s) => {
            const pageOnce = await consent(s);
            const first = await submitDecision(s.origin, pageOnce, 'approve');
            expect(first.status).toBe(302);
            return submitDecision(s.origin, pageOnce, 'approve');
        },
        expected: page('invalid_consent')
    },
    {
        name: 'decision: approve after a refused attempt used the request up',
        send: async (s) => {
            const pageOnce = await consent(s);
            await submitDecision(s.origin, pageOnce, 'approve', { cookie: 'demo_as_consent=forged' });
            return submitDecision(s.origin, pageOnce, 'approve');
        },
        expected: page('invalid_consent')
    },
    {
        name: 'decision: answered after the consent page expired',
        server: 'short-lived',
        send: async (s) => {
            const stale = await consent(s);
            await sleep(1_100);
            return submitDecision(s.origin, stale, 'approve');
        },
        expected: page('invalid_consent')
    },
    {
        name: 'decision: a browser labels it cross-site',
        send: async (s) => submitDecision(s.origin, await consent(s), 'approve', { headers: { 'sec-fetch-site': 'cross-site' } }),
        expected: page('invalid_consent')
    },
    {
        name: 'decision: a browser labels it same-site (another loopback port)',
        send: async (s) => submitDecision(s.origin, await consent(s), 'approve', { headers: { 'sec-fetch-site': 'same-site' } }),
        expected: page('invalid_consent')
    },
    {
        name: 'decision: a value other than approve or deny',
        send: async (s) => {
            const p = await consent(s);
            return decide(s, [...p.form.hidden, ['decision', 'maybe']], { cookie: p.cookie ?? '' });
        },
        expected: page('invalid_request')
    },
    {
        name: 'decision: decision twice (approve and deny)',
        send: async (s) => {
            const p = await consent(s);
            return decide(s, [...p.form.hidden, ['decision', 'deny'], ['decision', 'approve']], { cookie: p.cookie ?? '' });
        },
        expected: page('invalid_request')
    },
    {
        name: 'decision: JSON body instead of the form',
        send: async (s) => {
            const p = await consent(s);
            return postJson(`${s.origin}/authorize/decision`, { request_id: p.form.hidden[0][1], decision: 'approve' }, { cookie: p.cookie ?? '' });
        },
        expected: page('invalid_request')
    },
    {
        name: 'decision: form body over the 8 kB limit',
        send: (s) => decide(s, [['request_id', 'x'], ['decision', 'approve'], ['pad', 'p'.repeat(9_000)]]),
        expected: json(413, 'invalid_request')
    },
    { name: 'decision: GET instead of POST', send: (s) => fetch(`${s.origin}/authorize/decision`, { redirect: 'manual' }), expected: json(405, 'method_not_allowed') }
];

const tokenRows: Row[] = [
    {
        name: 'token: JSON body',
        send: (s) => postJson(`${s.origin}/token`, { grant_type: 'authorization_code', client_id: s.client.clientId }),
        expected: json(400, 'invalid_request')
    },
    { name: 'token: GET instead of POST', send: (s) => fetch(`${s.origin}/token?grant_type=authorization_code`), expected: json(405, 'method_not_allowed') },
    { name: 'token: grant_type missing', send: (s) => token(s, { client_id: s.client.clientId }), expected: json(400, 'invalid_request') },
    {
        name: 'token: password grant',
        send: (s) => token(s, { grant_type: 'password', client_id: s.client.clientId, username: 'u', password: 'p' }),
        expected: json(400, 'unsupported_grant_type'),
        mustNotEcho: 'password'
    },
    { name: 'token: client_credentials grant', send: (s) => token(s, { grant_type: 'client_credentials', client_id: s.client.clientId }), expected: json(400, 'unsupported_grant_type') },
    { name: 'token: grant_type=__proto__', send: (s) => token(s, { grant_type: '__proto__', client_id: s.client.clientId }), expected: json(400, 'unsupported_grant_type') },
    { name: 'token: grant_type=constructor', send: (s) => token(s, { grant_type: 'constructor', client_id: s.client.clientId }), expected: json(400, 'unsupported_grant_type') },
    {
        name: 'token: grant_type twice',
        send: (s) => token(s, [['grant_type', 'authorization_code'], ['grant_type', 'refresh_token'], ['client_id', s.client.clientId]]),
        expected: json(400, 'invalid_request')
    },
    {
        name: 'token: code_verifier twice (the right one first)',
        send: async (s) => {
            const grant = await approvedCode(s.origin, { client: s.client });
            return token(s, [
                ['grant_type', 'authorization_code'],
                ['client_id', s.client.clientId],
                ['code', grant.code],
                ['redirect_uri', s.client.redirectUri],
                ['code_verifier', grant.pkce.verifier],
                ['code_verifier', pkcePair().verifier]
            ]);
        },
        expected: json(400, 'invalid_request')
    },
    { name: 'token: undecodable percent-encoding', send: (s) => token(s, `grant_type=authorization_code&client_id=${s.client.clientId}&code=%zz`), expected: json(400, 'invalid_request') },
    {
        name: 'token: client_id missing',
        send: async (s) => {
            const grant = await approvedCode(s.origin, { client: s.client });
            return exchangeCode(s.origin, grant, { client_id: undefined });
        },
        expected: json(400, 'invalid_client')
    },
    {
        name: 'token: unknown client_id',
        send: (s) => token(s, { grant_type: 'authorization_code', client_id: 'attacker-client', code: 'x', code_verifier: 'v'.repeat(43) }),
        expected: json(400, 'invalid_client'),
        mustNotEcho: 'attacker-client'
    },
    {
        name: 'token: code missing',
        send: (s) => token(s, { grant_type: 'authorization_code', client_id: s.client.clientId, code_verifier: 'v'.repeat(43) }),
        expected: json(400, 'invalid_request')
    },
    {
        name: 'token: code_verifier missing',
        send: async (s) => exchangeCode(s.origin, await approvedCode(s.origin, { client: s.client }), { code_verifier: undefined }),
        expected: json(400, 'invalid_request')
    },
    {
        name: 'token: unknown code',
        send: (s) => token(s, { grant_type: 'authorization_code', client_id: s.client.clientId, code: 'c'.repeat(43), code_verifier: 'v'.repeat(43), redirect_uri: s.client.redirectUri }),
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: wrong code_verifier',
        send: async (s) => exchangeCode(s.origin, await approvedCode(s.origin, { client: s.client }), { code_verifier: pkcePair().verifier }),
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: malformed code_verifier',
        send: async (s) => exchangeCode(s.origin, await approvedCode(s.origin, { client: s.client }), { code_verifier: 'short' }),
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: code redeemed by another client',
        send: async (s) => exchangeCode(s.origin, await approvedCode(s.origin, { client: s.client }), { client_id: s.other.clientId, redirect_uri: s.other.redirectUri }),
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: wrong redirect_uri',
        send: async (s) => exchangeCode(s.origin, await approvedCode(s.origin, { client: s.client }), { redirect_uri: `${s.client.redirectUri}/x` }),
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: redirect_uri left out although the request had it',
        send: async (s) => exchangeCode(s.origin, await approvedCode(s.origin, { client: s.client }), { redirect_uri: undefined }),
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: a different resource than authorized',
        send: async (s) => exchangeCode(s.origin, await approvedCode(s.origin, { client: s.client }), { resource: 'http://127.0.0.1:9/other' }),
        expected: json(400, 'invalid_target')
    },
    {
        name: 'token: code replayed',
        send: async (s) => {
            const grant = await approvedCode(s.origin, { client: s.client });
            expect((await exchangeCode(s.origin, grant)).status).toBe(200);
            return exchangeCode(s.origin, grant);
        },
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: code redeemed after it expired',
        server: 'short-lived',
        send: async (s) => {
            const grant = await approvedCode(s.origin, { client: s.client });
            await sleep(1_100);
            return exchangeCode(s.origin, grant);
        },
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: unknown refresh token',
        send: (s) => refreshTokens(s.origin, s.client.clientId, 'r'.repeat(43)),
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: refresh_token missing',
        send: (s) => token(s, { grant_type: 'refresh_token', client_id: s.client.clientId }),
        expected: json(400, 'invalid_request')
    },
    {
        name: 'token: refresh asking for more scope than granted',
        send: async (s) => {
            const { tokens } = await completeFlow(s.origin, { client: s.client, scope: 'files:read' });
            return refreshTokens(s.origin, s.client.clientId, tokens.refresh_token, { scope: 'files:read files:write' });
        },
        expected: json(400, 'invalid_scope')
    },
    {
        name: 'token: refresh token presented by another client',
        send: async (s) => {
            const { tokens } = await completeFlow(s.origin, { client: s.client });
            return refreshTokens(s.origin, s.other.clientId, tokens.refresh_token);
        },
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: refresh for a different resource',
        send: async (s) => {
            const { tokens } = await completeFlow(s.origin, { client: s.client });
            return refreshTokens(s.origin, s.client.clientId, tokens.refresh_token, { resource: 'http://127.0.0.1:9/other' });
        },
        expected: json(400, 'invalid_target')
    },
    {
        name: 'token: rotated refresh token reused',
        send: async (s) => {
            const { tokens } = await completeFlow(s.origin, { client: s.client });
            expect((await refreshTokens(s.origin, s.client.clientId, tokens.refresh_token)).status).toBe(200);
            return refreshTokens(s.origin, s.client.clientId, tokens.refresh_token);
        },
        expected: json(400, 'invalid_grant')
    },
    {
        name: 'token: form body over the 8 kB limit',
        send: (s) => token(s, { grant_type: 'authorization_code', client_id: s.client.clientId, code: 'c'.repeat(9_000) }),
        expected: json(413, 'invalid_request')
    },
    {
        name: 'token: gzip-compressed form',
        send: (s) =>
            fetch(`${s.origin}/token`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
                body: gzipSync(`grant_type=refresh_token&client_id=${s.client.clientId}&refresh_token=x`)
            }),
        expected: json(415, 'invalid_request')
    },
    { name: 'unknown path', send: (s) => fetch(`${s.origin}/admin/../.env`), expected: json(404, 'not_found') }
];

const rows: Row[] = [...registrationRows, ...authorizeRows, ...decisionRows, ...tokenRows];

// ─── Running the table ─────────────────────────────────────────────────────

async function readError(response: Response, via: Via): Promise<{ error: string | null; text: string }> {
    if (via === 'redirect') return { error: new URL(response.headers.get('location') ?? 'x:').searchParams.get('error'), text: await response.text() };
    const text = await response.text();
    if (via === 'page') return { error: /<code>([a-z_]+)<\/code>/.exec(text)?.[1] ?? null, text };
    return { error: (JSON.parse(text) as { error?: string }).error ?? null, text };
}

describe('demo-as bad-input table', () => {
    it('has at least 60 rows across registration, authorize, decision and token', () => {
        expect(rows.length).toBeGreaterThanOrEqual(60);
        expect(registrationRows.length).toBeGreaterThan(0);
        expect(authorizeRows.length).toBeGreaterThan(0);
        expect(decisionRows.length).toBeGreaterThan(0);
        expect(tokenRows.length).toBeGreaterThan(0);
    });

    it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
        const server = row.server === 'short-lived' ? shortLived : main;
        const response = await row.send(server);
        const { status, error, via } = row.expected;
        expect(response.status).toBe(status);
        const location = response.headers.get('location');
        const answer = await readError(response, via);
        expect(answer.error).toBe(error);

        if (via === 'redirect') {
            // Only ever to the registered redirect URI, with error, state and iss (RFC 9207 §2).
            expect(location?.startsWith(`${server.client.redirectUri}?`)).toBe(true);
            const callback = new URL(location ?? '').searchParams;
            expect(callback.get('iss')).toBe(server.origin);
            expect(callback.get('state')).toBe(row.expected.state === undefined ? 'row-state' : row.expected.state);
            expect(callback.has('code')).toBe(false);
        } else {
            expect(location).toBeNull();
        }
        if (via === 'page') {
            expect(response.headers.get('content-type')).toMatch(/^text\/html/);
            expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
            expect(answer.text).not.toMatch(/<form/);
        }
        if (via === 'json') {
            expect(response.headers.get('content-type')).toMatch(/^application\/json/);
            expect(response.headers.get('cache-control')).toBe('no-store');
        }
        if (row.mustNotEcho) expect(answer.text).not.toContain(row.mustNotEcho);
    });

    it('still serves and completes a normal flow after the whole table', async () => {
        expect(main.as.child.exitCode).toBeNull();
        expect(shortLived.as.child.exitCode).toBeNull();
        const { tokens } = await completeFlow(main.origin, { scope: 'files:read files:write' });
        expect(tokens.scope).toBe('files:read files:write');
        expect(main.as.stderr.join('\n')).not.toContain('internal error');
    });

    it('never logs a code, token, request id or attacker-supplied text', () => {
        const log = main.as.stdout.join('\n');
        expect(log).not.toContain('attacker');
        expect(log).not.toContain('evil.example');
        expect(log).not.toMatch(/grant_type=(password|client_credentials|__proto__|constructor)/);
        for (const line of main.as.stdout.slice(1)) {
            expect(line).toMatch(/^(register|authorize|decision|token) /);
            // The only 43-character base64url values the AS produces are secrets; none may appear.
            expect(line).not.toMatch(/[A-Za-z0-9_-]{43}/);
        }
    });
});

// ─── Random input ──────────────────────────────────────────────────────────

/** mulberry32: a tiny seeded PRNG, so a failing run can be repeated exactly. */
function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const RANDOM_SEED = 20_261_126;
const RANDOM_REQUESTS = 3_000;

describe('demo-as random input', () => {
    it(`answers ${RANDOM_REQUESTS} seeded random requests without a 5xx and keeps running`, async () => {
        const random = seededRandom(RANDOM_SEED);
        const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
        const knownPaths = ['/register', '/authorize', '/authorize/decision', '/token', '/jwks', '/.well-known/oauth-authorization-server'];
        const names = ['client_id', 'redirect_uri', 'response_type', 'code_challenge', 'code_challenge_method', 'scope', 'state', 'resource', 'grant_type', 'code', 'code_verifier', 'refresh_token', 'request_id', 'decision', '__proto__', 'constructor'];
        const values = () =>
            pick([
                main.client.clientId,
                main.client.redirectUri,
                'code',
                'S256',
                'plain',
                'files:read files:admin',
                'authorization_code',
                'refresh_token',
                'approve',
                DEFAULT_RESOURCE,
                main.pkce.challenge,
                randomText(),
                '%',
                '%zz',
                '%00',
                '\u0000\r\n',
                'x'.repeat(Math.floor(random() * 5000))
            ]);
        const randomText = () => Array.from({ length: Math.floor(random() * 40) }, () => String.fromCodePoint(Math.floor(random() * 0x2fff))).join('');
        const encodedPairs = () =>
            Array.from({ length: Math.floor(random() * 8) }, () => {
                const value = values();
                const encoded = random() < 0.8 ? encodeURIComponent(value) : value.replace(/[&#\s]/g, '');
                return `${encodeURIComponent(pick(names))}=${encoded}`;
            }).join('&');
        const bodies = () =>
            pick([
                () => ({ type: 'application/json', body: JSON.stringify(Object.fromEntries(Array.from({ length: 4 }, () => [pick(names), pick([values(), [values()], 1, null, {}, true])]))) }),
                () => ({ type: 'application/json', body: JSON.stringify({ redirect_uris: [values(), values()], client_name: values() }) }),
                () => ({ type: 'application/x-www-form-urlencoded', body: encodedPairs() }),
                () => ({ type: 'application/x-www-form-urlencoded; charset=latin1', body: encodedPairs() }),
                () => ({ type: 'application/json; charset=utf-16', body: '{}' }),
                () => ({ type: pick(['text/plain', 'multipart/form-data; boundary=x', 'application/xml', '*/*', 'application/json;;;']), body: randomText() }),
                () => ({ type: 'application/json', body: randomText() })
            ])();

        /** A valid request's parameters with one to three random changes: dropped, replaced, repeated or added. */
        const mutated = (pairs: [string, string][]): string => {
            const result = [...pairs];
            for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
                const index = Math.floor(random() * result.length);
                const change = random();
                if (change < 0.25) result.splice(index, 1);
                else if (change < 0.6 && result[index]) result[index] = [result[index][0], values()];
                else if (change < 0.8 && result[index]) result.push(result[index]);
                else result.push([pick(names), values()]);
            }
            return new URLSearchParams(result).toString();
        };
        const validAuthorize = (): [string, string][] => [...new URLSearchParams(authorizeQuery(main))];
        const validToken = (): [string, string][] => [
            ['grant_type', pick(['authorization_code', 'refresh_token'])],
            ['client_id', main.client.clientId],
            ['code', randomText()],
            ['code_verifier', main.pkce.verifier],
            ['redirect_uri', main.client.redirectUri],
            ['refresh_token', randomText()]
        ];
        const methodFor: Record<string, string> = {
            '/register': 'POST',
            '/authorize': 'GET',
            '/authorize/decision': 'POST',
            '/token': 'POST',
            '/jwks': 'GET',
            '/.well-known/oauth-authorization-server': 'GET'
        };

        const requestOnce = async (): Promise<number> => {
            const path = random() < 0.85 ? pick(knownPaths) : pick(['/', '/authorize/', '/TOKEN', '//register', '/%2e%2e/jwks', '/authorize/decision/x', `/${randomText()}`]);
            const method = random() < 0.75 ? (methodFor[path] ?? 'GET') : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
            const query = path === '/authorize' && random() < 0.7 ? `?${mutated(validAuthorize())}` : random() < 0.4 ? `?${encodedPairs()}` : '';
            const hasBody = method !== 'GET' && method !== 'HEAD' && random() < 0.9;
            const { type, body } = !hasBody
                ? { type: undefined, body: undefined }
                : path === '/token' && random() < 0.5
                  ? { type: 'application/x-www-form-urlencoded', body: mutated(validToken()) }
                  : path === '/register' && random() < 0.5
                    ? { type: 'application/json', body: JSON.stringify({ client_name: values(), redirect_uris: [pick([GOOD_URI, values()])] }) }
                    : random() < 0.04
                      ? { type: pick(['application/json', 'application/x-www-form-urlencoded']), body: `{"a":"${'x'.repeat(20_000)}"}` }
                      : bodies();
            const headers: Record<string, string> = {};
            if (type) headers['content-type'] = type;
            if (hasBody && random() < 0.03) headers['content-encoding'] = pick(['gzip', 'deflate', 'br', 'identity']);
            if (random() < 0.2) headers.cookie = `demo_as_consent=${encodeURIComponent(randomText())}`;
            if (random() < 0.1) headers['sec-fetch-site'] = pick(['same-origin', 'cross-site', 'none']);
            let url: string;
            try {
                url = new URL(`${main.origin}${encodeURI(path)}${query}`).href;
            } catch {
                url = `${main.origin}/`;
            }
            const response = await fetch(url, { method, headers, body, redirect: 'manual' });
            await response.arrayBuffer();
            return response.status;
        };

        const statuses = new Map<number, number>();
        let issued = 0;
        const worker = async () => {
            while (issued < RANDOM_REQUESTS) {
                issued++;
                const status = await requestOnce();
                statuses.set(status, (statuses.get(status) ?? 0) + 1);
            }
        };
        await Promise.all(Array.from({ length: 8 }, worker));

        const serverErrors = [...statuses].filter(([status]) => status >= 500);
        expect(serverErrors).toEqual([]);
        expect([...statuses.values()].reduce((sum, n) => sum + n, 0)).toBe(RANDOM_REQUESTS);
        // The run reached past the fallbacks: consent pages, error redirects, refusals, body limits.
        for (const status of [200, 201, 302, 400, 404, 405, 413, 415]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
        expect(main.as.child.exitCode).toBeNull();
        expect(main.as.stderr.join('\n')).not.toContain('internal error');
        const { tokens } = await completeFlow(main.origin);
        expect(tokens.scope).toBe('files:read');
    });
});
