/**
 * Test helper: drive demo-as over HTTP the way a client and a browser would —
 * register, open the consent page (keeping its cookie), submit a decision,
 * redeem the code with PKCE, refresh. Each step returns the raw Response as
 * well, so tests can assert on status, headers and Location themselves.
 * Used by the as-* tests and available to any other test that needs tokens.
 */
import { createHash, randomBytes } from 'node:crypto';

export const DEFAULT_RESOURCE = 'http://127.0.0.1:9/mcp';

export interface TestClient {
    clientId: string;
    redirectUri: string;
}

export interface Pkce {
    verifier: string;
    challenge: string;
}

/** An RFC 7636 S256 verifier/challenge pair. */
export function pkcePair(): Pkce {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), redirect: 'manual' });
}

/** POSTs a form; `fields` as a record, as ordered pairs (to repeat a name), or as a raw string. */
export function postForm(url: string, fields: Record<string, string> | [string, string][] | string, headers: Record<string, string> = {}): Promise<Response> {
    const body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
    return fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
        redirect: 'manual'
    });
}

/** Registers a client with one loopback redirect URI (unless `metadata` says otherwise). */
export async function registerClient(origin: string, metadata: Record<string, unknown> = {}): Promise<TestClient> {
    const redirectUri = `http://127.0.0.1:${1024 + Math.floor(Math.random() * 60000)}/callback`;
    const response = await postJson(`${origin}/register`, { client_name: 'as-flow test client', redirect_uris: [redirectUri], ...metadata });
    if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { client_id: string; redirect_uris: string[] };
    return { clientId: body.client_id, redirectUri: body.redirect_uris[0] };
}

export interface AuthorizeOptions {
    client: TestClient;
    pkce: Pkce;
    scope?: string;
    resource?: string;
    state?: string;
}

/** The /authorize URL a client following the contract would open. */
export function authorizeUrl(origin: string, { client, pkce, scope = 'files:read', resource = DEFAULT_RESOURCE, state = 'test-state' }: AuthorizeOptions): string {
    const url = new URL(`${origin}/authorize`);
    url.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: client.redirectUri,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
        scope,
        resource,
        state
    }).toString();
    return url.href;
}

export interface ConsentForm {
    action: string;
    hidden: [string, string][];
    buttons: { name: string; value: string }[];
    formCount: number;
}

export interface ConsentPage {
    response: Response;
    html: string;
    /** `name=value` of the cookie set with the page, ready for a Cookie header. */
    cookie: string | undefined;
    form: ConsentForm;
}

function decodeEntities(text: string): string {
    return text
        .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
}

/** Reads the consent form the way the contract in COMMON.md describes it. */
export function parseConsentForm(html: string): ConsentForm {
    const forms = [...html.matchAll(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/g)];
    const inner = forms[0]?.[2] ?? '';
    return {
        formCount: (html.match(/<form\b/g) ?? []).length,
        action: forms[0]?.[1] ?? '',
        hidden: [...inner.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [decodeEntities(m[1]), decodeEntities(m[2])]),
        buttons: [...inner.matchAll(/<button type="submit" name="([^"]*)" value="([^"]*)"/g)].map((m) => ({ name: m[1], value: m[2] }))
    };
}

/** GET /authorize like a browser, keeping the Set-Cookie. */
export async function openConsent(url: string): Promise<ConsentPage> {
    const response = await fetch(url, { redirect: 'manual' });
    const html = await response.text();
    const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
    return { response, html, cookie, form: parseConsentForm(html) };
}

/** POSTs every hidden input plus `decision`, with the page's cookie (unless overridden). */
export function submitDecision(
    origin: string,
    page: ConsentPage,
    decision: 'approve' | 'deny',
    options: { cookie?: string | null; headers?: Record<string, string> } = {}
): Promise<Response> {
    const cookie = options.cookie === undefined ? page.cookie : options.cookie;
    return postForm(`${origin}${page.form.action}`, [...page.form.hidden, ['decision', decision]], {
        ...(cookie ? { cookie } : {}),
        ...options.headers
    });
}

/** The callback's query parameters from a 302 Location. */
export function callbackParams(response: Response): URLSearchParams {
    const location = response.headers.get('location');
    if (!location) throw new Error(`expected a redirect, got ${response.status}`);
    return new URL(location).searchParams;
}

export interface ApprovedCode {
    client: TestClient;
    pkce: Pkce;
    code: string;
    resource: string;
}

/** Registers (unless given a client), opens consent and approves: a fresh code. */
export async function approvedCode(origin: string, options: Partial<AuthorizeOptions> = {}): Promise<ApprovedCode> {
    const client = options.client ?? (await registerClient(origin));
    const pkce = options.pkce ?? pkcePair();
    const page = await openConsent(authorizeUrl(origin, { ...options, client, pkce }));
    if (page.response.status !== 200) throw new Error(`consent page: ${page.response.status}`);
    const decision = await submitDecision(origin, page, 'approve');
    const code = callbackParams(decision).get('code');
    if (!code) throw new Error('no code on the callback');
    return { client, pkce, code, resource: options.resource ?? DEFAULT_RESOURCE };
}

export function exchangeCode(origin: string, grant: ApprovedCode, overrides: Record<string, string | undefined> = {}, headers: Record<string, string> = {}): Promise<Response> {
    const fields: Record<string, string | undefined> = {
        grant_type: 'authorization_code',
        client_id: grant.client.clientId,
        code: grant.code,
        code_verifier: grant.pkce.verifier,
        redirect_uri: grant.client.redirectUri,
        resource: grant.resource,
        ...overrides
    };
    return postForm(`${origin}/token`, definedOnly(fields), headers);
}

export function refreshTokens(origin: string, clientId: string, refreshToken: string, extra: Record<string, string> = {}): Promise<Response> {
    return postForm(`${origin}/token`, { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken, ...extra });
}

export interface TokenSet {
    access_token: string;
    token_type: string;
    expires_in: number;
    scope: string;
    refresh_token: string;
}

/** The whole happy path: register, consent, approve, redeem. */
export async function completeFlow(origin: string, options: Partial<AuthorizeOptions> = {}): Promise<{ grant: ApprovedCode; tokens: TokenSet }> {
    const grant = await approvedCode(origin, options);
    const response = await exchangeCode(origin, grant);
    if (response.status !== 200) throw new Error(`token exchange: ${response.status} ${await response.text()}`);
    return { grant, tokens: (await response.json()) as TokenSet };
}

function definedOnly(fields: Record<string, string | undefined>): Record<string, string> {
    return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
