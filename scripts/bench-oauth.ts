/**
 * The OAuth exchanges the benchmarks drive against the real demo-as, over the
 * keep-alive client of bench-support.ts: register, open the consent page and
 * approve it as a browser would (cookie and hidden inputs), redeem the code
 * with PKCE, refresh. Each step checks its status, so a benchmark can never
 * count refusals as throughput.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import { http } from './bench-support.ts';

export interface BenchClient {
    clientId: string;
    redirectUri: string;
}

export interface TokenSet {
    access_token: string;
    refresh_token: string;
    scope: string;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function expectStatus(step: string, actual: number, expected: number): void {
    if (actual !== expected) throw new Error(`${step}: expected HTTP ${expected}, got ${actual}`);
}

export async function register(agent: Agent, issuer: string): Promise<BenchClient> {
    const redirectUri = 'http://127.0.0.1:9/callback';
    const answer = await http(agent, {
        method: 'POST',
        url: `${issuer}/register`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'bench', redirect_uris: [redirectUri] })
    });
    expectStatus('register', answer.status, 201);
    return { clientId: (JSON.parse(answer.body) as { client_id: string }).client_id, redirectUri };
}

/** Consent page → approve → code → token: one complete authorization code flow for `client`. */
/** `tokenHeaders`: extra headers for the code redemption, e.g. a DPoP proof (scripts/bench-rs.ts). */
export async function authorizationCodeFlow(agent: Agent, issuer: string, client: BenchClient, resource: string, scope: string, tokenHeaders: Record<string, string> = {}): Promise<TokenSet> {
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: client.redirectUri,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        scope,
        resource,
        state: 'bench'
    });
    const page = await http(agent, { method: 'GET', url: `${issuer}/authorize?${query}` });
    expectStatus('consent page', page.status, 200);
    const requestId = /<input type="hidden" name="request_id" value="([^"]*)">/.exec(page.body)?.[1];
    const setCookie = page.headers['set-cookie']?.[0];
    if (!requestId || !setCookie) throw new Error('consent page: no request_id or no cookie');
    const decision = await http(agent, {
        method: 'POST',
        url: `${issuer}/authorize/decision`,
        headers: { ...FORM, cookie: setCookie.split(';')[0] },
        body: new URLSearchParams({ request_id: requestId, decision: 'approve' }).toString()
    });
    expectStatus('decision', decision.status, 302);
    const code = new URL(String(decision.headers.location)).searchParams.get('code');
    if (!code) throw new Error('decision: no code on the redirect');
    const token = await http(agent, {
        method: 'POST',
        url: `${issuer}/token`,
        headers: { ...FORM, ...tokenHeaders },
        body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: client.clientId,
            code,
            code_verifier: verifier,
            redirect_uri: client.redirectUri,
            resource
        }).toString()
    });
    expectStatus('code redemption', token.status, 200);
    return JSON.parse(token.body) as TokenSet;
}

/** One refresh_token grant; the AS rotates, so the returned set holds the next refresh token. */
export async function refresh(agent: Agent, issuer: string, client: BenchClient, refreshToken: string): Promise<TokenSet> {
    const answer = await http(agent, {
        method: 'POST',
        url: `${issuer}/token`,
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: client.clientId, refresh_token: refreshToken }).toString()
    });
    expectStatus('refresh', answer.status, 200);
    return JSON.parse(answer.body) as TokenSet;
}
