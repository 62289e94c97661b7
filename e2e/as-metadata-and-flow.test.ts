/**
 * demo-as end to end, the way a client and a browser use it: metadata, the
 * JWKS, registration, the consent page, approve and deny, the code exchange
 * with PKCE, the access token verified with jose against the JWKS, refresh
 * rotation, and the revocations a replayed code or refresh token triggers.
 * Every request goes to the real process, started on a free loopback port.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import {
    approvedCode,
    authorizeUrl,
    callbackParams,
    completeFlow,
    DEFAULT_RESOURCE,
    exchangeCode,
    openConsent,
    pkcePair,
    postJson,
    refreshTokens,
    registerClient,
    submitDecision,
    type TokenSet
} from './as-flow.ts';
import { acceptsConnection } from './tcp.ts';

let as: RunningServer;

beforeAll(async () => {
    as = await startServer('demo-as/main.ts', ['--port', '0']);
});

afterAll(async () => {
    await as?.stop();
});

/** Waits until the AS has logged a line matching `pattern` (lines are written after the response). */
async function loggedLine(pattern: RegExp): Promise<string> {
    for (let attempt = 0; attempt < 50; attempt++) {
        const line = as.stdout.find((entry) => pattern.test(entry));
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no log line matching ${pattern}; got:\n${as.stdout.join('\n')}`);
}

describe('demo-as metadata', () => {
    it('publishes RFC 8414 metadata with its endpoints, S256 PKCE, public clients and RFC 9207 iss support', async () => {
        const response = await fetch(`${as.origin}/.well-known/oauth-authorization-server`);
        expect(response.status).toBe(200);
        const metadata = await response.json();
        expect(metadata).toEqual({
            issuer: as.origin,
            authorization_endpoint: `${as.origin}/authorize`,
            token_endpoint: `${as.origin}/token`,
            registration_endpoint: `${as.origin}/register`,
            jwks_uri: `${as.origin}/jwks`,
            revocation_endpoint: `${as.origin}/revoke`,
            revocation_endpoint_auth_methods_supported: ['none'],
            scopes_supported: ['files:read', 'files:write', 'files:admin'],
            response_types_supported: ['code'],
            response_modes_supported: ['query'],
            grant_types_supported: ['authorization_code', 'refresh_token'],
            code_challenge_methods_supported: ['S256'],
            token_endpoint_auth_methods_supported: ['none'],
            authorization_response_iss_parameter_supported: true,
            dpop_signing_alg_values_supported: ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519']
        });
        expect(metadata.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it('publishes one public ES256 signing key with a kid and no private part at jwks_uri', async () => {
        const { keys } = await (await fetch(`${as.origin}/jwks`)).json();
        expect(keys).toHaveLength(1);
        expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
        expect(keys[0].kid).toEqual(expect.any(String));
        expect(keys[0]).not.toHaveProperty('d');
    });

    it('listens on 127.0.0.1 only', async () => {
        const { hostname, port } = new URL(as.origin);
        expect(hostname).toBe('127.0.0.1');
        expect(await acceptsConnection('127.0.0.1', Number(port))).toBe(true);
        // Bound to 0.0.0.0 it would accept 127.0.0.2 too; bound to :: it would accept ::1.
        expect(await acceptsConnection('127.0.0.2', Number(port))).toBe(false);
        expect(await acceptsConnection('::1', Number(port))).toBe(false);
    });
});

describe('demo-as authorization code flow', () => {
    it('registers, shows consent, approves with code/state/iss, redeems with PKCE, and signs a verifiable RFC 9068 token', async () => {
        // RFC 7591 registration.
        const redirectUri = 'http://127.0.0.1:43210/callback';
        const registration = await postJson(`${as.origin}/register`, { client_name: 'Flow test', redirect_uris: [redirectUri] });
        expect(registration.status).toBe(201);
        const registered = await registration.json();
        expect(registered).toMatchObject({
            client_name: 'Flow test',
            redirect_uris: [redirectUri],
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code']
        });
        expect(registered).not.toHaveProperty('client_secret');
        const client = { clientId: registered.client_id as string, redirectUri };
        expect((await loggedLine(new RegExp(`^register client_id=${client.clientId} status=201$`))).length).toBeGreaterThan(0);

        // The consent page, as a browser gets it.
        const pkce = pkcePair();
        const page = await openConsent(authorizeUrl(as.origin, { client, pkce, scope: 'files:read', state: 'flow-state-1' }));
        expect(page.response.status).toBe(200);
        expect(page.response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.form.formCount).toBe(1);
        expect(page.form.action).toBe('/authorize/decision');
        expect(page.form.hidden.map(([name]) => name)).toEqual(['request_id']);
        expect(page.form.buttons).toEqual([
            { name: 'decision', value: 'deny' },
            { name: 'decision', value: 'approve' }
        ]);
        // The literal markup the cross-process contract (COMMON.md) promises to headless user agents.
        expect(page.html).toContain('<form method="post" action="/authorize/decision">');
        expect(page.html).toContain('<button type="submit" name="decision" value="approve">');
        expect(page.html).toContain('<button type="submit" name="decision" value="deny">');

        // Approve: 302 to exactly the registered redirect URI with code, state and iss.
        const decision = await submitDecision(as.origin, page, 'approve');
        expect(decision.status).toBe(302);
        const location = decision.headers.get('location') ?? '';
        expect(location.startsWith(`${redirectUri}?`)).toBe(true);
        const callback = callbackParams(decision);
        expect(callback.get('state')).toBe('flow-state-1');
        expect(callback.get('iss')).toBe(as.origin);
        const code = callback.get('code') ?? '';
        expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

        // Code exchange with the PKCE verifier.
        const tokenResponse = await exchangeCode(as.origin, { client, pkce, code, resource: DEFAULT_RESOURCE });
        expect(tokenResponse.status).toBe(200);
        expect(tokenResponse.headers.get('cache-control')).toBe('no-store');
        expect(tokenResponse.headers.get('pragma')).toBe('no-cache');
        const tokens = (await tokenResponse.json()) as TokenSet;
        expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'files:read' });
        expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);

        // The access token verifies against the published JWKS.
        const jwks = createRemoteJWKSet(new URL(`${as.origin}/jwks`));
        const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
            issuer: as.origin,
            audience: DEFAULT_RESOURCE,
            typ: 'at+jwt'
        });
        expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
        expect(protectedHeader.kid).toEqual(expect.any(String));
        expect(payload).toMatchObject({ iss: as.origin, aud: DEFAULT_RESOURCE, sub: 'demo-user', client_id: client.clientId, scope: 'files:read' });
        expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
        expect(payload.jti).toEqual(expect.any(String));

        // One log line per token request, without the code or any token.
        await loggedLine(new RegExp(`^token grant_type=authorization_code client_id=${client.clientId} status=200 scope="files:read"$`));
        const log = as.stdout.join('\n');
        for (const secret of [code, tokens.access_token, tokens.refresh_token, page.form.hidden[0][1]]) expect(log).not.toContain(secret);
    });

    it('rotates refresh tokens, and reuse of a rotated one revokes the whole family', async () => {
        const { grant, tokens } = await completeFlow(as.origin, { scope: 'files:read files:write' });
        const clientId = grant.client.clientId;

        const first = await refreshTokens(as.origin, clientId, tokens.refresh_token);
        expect(first.status).toBe(200);
        expect(first.headers.get('cache-control')).toBe('no-store');
        const rotated = (await first.json()) as TokenSet;
        expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
        expect(rotated.scope).toBe('files:read files:write');

        const second = await refreshTokens(as.origin, clientId, rotated.refresh_token);
        expect(second.status).toBe(200);
        const current = (await second.json()) as TokenSet;

        // The first refresh token was rotated away: presenting it again is reuse.
        const reuse = await refreshTokens(as.origin, clientId, tokens.refresh_token);
        expect(reuse.status).toBe(400);
        expect((await reuse.json()).error).toBe('invalid_grant');
        // ...and the family is gone, including the token that was current until now.
        const afterRevocation = await refreshTokens(as.origin, clientId, current.refresh_token);
        expect(afterRevocation.status).toBe(400);
        expect(await afterRevocation.json()).toMatchObject({ error: 'invalid_grant', error_description: 'the refresh token has been revoked' });
    });

    it('lets a refresh narrow the scope, never widen it, and keeps the family scope for the next refresh', async () => {
        const { grant, tokens } = await completeFlow(as.origin, { scope: 'files:read files:write' });
        const clientId = grant.client.clientId;

        const narrowed = await refreshTokens(as.origin, clientId, tokens.refresh_token, { scope: 'files:read' });
        expect(narrowed.status).toBe(200);
        const narrowTokens = (await narrowed.json()) as TokenSet;
        expect(narrowTokens.scope).toBe('files:read');

        const widened = await refreshTokens(as.origin, clientId, narrowTokens.refresh_token, { scope: 'files:read files:admin' });
        expect(widened.status).toBe(400);
        expect((await widened.json()).error).toBe('invalid_scope');

        // The refused request did not consume the token, and the family still holds both scopes.
        const full = await refreshTokens(as.origin, clientId, narrowTokens.refresh_token);
        expect(full.status).toBe(200);
        expect(((await full.json()) as TokenSet).scope).toBe('files:read files:write');
    });

    it('refuses a replayed code with invalid_grant and revokes the refresh token the first redemption issued', async () => {
        const grant = await approvedCode(as.origin);
        const first = await exchangeCode(as.origin, grant);
        expect(first.status).toBe(200);
        const tokens = (await first.json()) as TokenSet;

        const replay = await exchangeCode(as.origin, grant);
        expect(replay.status).toBe(400);
        expect(replay.headers.get('cache-control')).toBe('no-store');
        expect((await replay.json()).error).toBe('invalid_grant');

        const refresh = await refreshTokens(as.origin, grant.client.clientId, tokens.refresh_token);
        expect(refresh.status).toBe(400);
        expect(await refresh.json()).toMatchObject({ error: 'invalid_grant', error_description: 'the refresh token has been revoked' });
    });

    it('answers Deny with error=access_denied, the state and iss on the registered redirect URI', async () => {
        const client = await registerClient(as.origin);
        const page = await openConsent(authorizeUrl(as.origin, { client, pkce: pkcePair(), state: 'deny-state' }));
        const decision = await submitDecision(as.origin, page, 'deny');
        expect(decision.status).toBe(302);
        expect(decision.headers.get('location')?.startsWith(`${client.redirectUri}?`)).toBe(true);
        const callback = callbackParams(decision);
        expect(callback.get('error')).toBe('access_denied');
        expect(callback.get('state')).toBe('deny-state');
        expect(callback.get('iss')).toBe(as.origin);
        expect(callback.has('code')).toBe(false);
        await loggedLine(new RegExp(`^decision client_id=${client.clientId} status=302 decision=deny error=access_denied$`));
    });

    it('shows files:admin as "will not be granted" and leaves it out of the token when approved', async () => {
        const client = await registerClient(as.origin);
        const pkce = pkcePair();
        const page = await openConsent(authorizeUrl(as.origin, { client, pkce, scope: 'files:read files:write files:admin' }));
        expect(page.response.status).toBe(200);
        const adminItem = /<li class="refused"><span class="scope-name">files:admin<\/span>[\s\S]*?<\/li>/.exec(page.html)?.[0] ?? '';
        expect(adminItem).toContain('Will not be granted');
        expect(page.html).toMatch(/<li><span class="scope-name">files:read<\/span>/);
        expect(page.html).toMatch(/<li><span class="scope-name">files:write<\/span>/);

        const code = callbackParams(await submitDecision(as.origin, page, 'approve')).get('code') ?? '';
        const response = await exchangeCode(as.origin, { client, pkce, code, resource: DEFAULT_RESOURCE });
        const tokens = (await response.json()) as TokenSet;
        expect(tokens.scope).toBe('files:read files:write');
        const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${as.origin}/jwks`)), { issuer: as.origin, audience: DEFAULT_RESOURCE });
        expect(payload.scope).toBe('files:read files:write');
        expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
    });
});

describe('demo-as consent page', () => {
    it('sends anti-framing, no-cache and no-referrer headers, allows no external resource, and binds a strict cookie', async () => {
        const client = await registerClient(as.origin);
        const page = await openConsent(authorizeUrl(as.origin, { client, pkce: pkcePair() }));
        const headers = page.response.headers;
        const csp = headers.get('content-security-policy') ?? '';
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("default-src 'none'");
        expect(csp).not.toContain('unsafe-inline');
        expect(headers.get('x-frame-options')).toBe('DENY');
        expect(headers.get('cache-control')).toBe('no-store');
        expect(headers.get('referrer-policy')).toBe('no-referrer');
        expect(headers.get('x-content-type-options')).toBe('nosniff');
        // No script, no external stylesheet, image or font.
        expect(page.html).not.toMatch(/<script|<link|<img|<iframe|src=|url\(/i);
        const setCookie = headers.getSetCookie();
        expect(setCookie).toHaveLength(1);
        expect(setCookie[0]).toMatch(/^demo_as_consent=[A-Za-z0-9_-]{43};/);
        expect(setCookie[0]).toMatch(/; HttpOnly/);
        expect(setCookie[0]).toMatch(/; SameSite=Strict/);
        expect(setCookie[0]).toMatch(/; Path=\/authorize/);
    });

    it('explains each requested scope, names the client and the redirect host, and escapes what the client supplied', async () => {
        const hostileName = `<script>alert("x")</script> & 'Friends'`;
        const client = await registerClient(as.origin, { client_name: hostileName, redirect_uris: ['http://localhost:51234/cb'] });
        const page = await openConsent(authorizeUrl(as.origin, { client, pkce: pkcePair(), scope: 'files:read files:write' }));
        expect(page.response.status).toBe(200);
        expect(page.html).not.toContain('<script>');
        expect(page.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;Friends&#39;');
        expect(page.html).toContain('localhost:51234');
        expect(page.html).toContain('See the names of your files and read what is in them.');
        expect(page.html).toContain('Create new files and change existing ones.');
        expect(page.html).toContain(DEFAULT_RESOURCE);
        expect(page.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    });

    it('at a step-up marks the scopes the client already holds for this resource "already allowed" and the rest "new"', async () => {
        const firstConsent = await openConsent(authorizeUrl(as.origin, { client: await registerClient(as.origin), pkce: pkcePair(), scope: 'files:read files:write' }));
        expect(firstConsent.html).toMatch(/<li><span class="scope-name">files:read<\/span>/);
        expect(firstConsent.html).not.toMatch(/already allowed|class="mark"/i);

        const { grant } = await completeFlow(as.origin, { scope: 'files:read' });
        const stepUp = await openConsent(authorizeUrl(as.origin, { client: grant.client, pkce: pkcePair(), scope: 'files:read files:write files:admin' }));
        expect(stepUp.response.status).toBe(200);
        expect(scopeItem(stepUp.html, 'files:read')).toMatch(/^<li class="held">[\s\S]*<span class="mark">Already allowed<\/span><\/li>$/);
        expect(scopeItem(stepUp.html, 'files:write')).toMatch(/^<li class="new">[\s\S]*<span class="mark">New<\/span><\/li>$/);
        expect(scopeItem(stepUp.html, 'files:admin')).toMatch(/^<li class="refused">[\s\S]*Will not be granted/);
        expect(scopeItem(stepUp.html, 'files:admin')).not.toMatch(/class="mark"/);

        const otherResource = await openConsent(
            authorizeUrl(as.origin, { client: grant.client, pkce: pkcePair(), scope: 'files:read files:write', resource: 'http://127.0.0.1:9/other-mcp' })
        );
        expect(otherResource.response.status).toBe(200);
        expect(otherResource.html).not.toMatch(/already allowed|class="mark"/i);
    });

    it('shows no "already allowed" once the family that held the scope is revoked', async () => {
        const { grant, tokens } = await completeFlow(as.origin, { scope: 'files:read' });
        const before = await openConsent(authorizeUrl(as.origin, { client: grant.client, pkce: pkcePair(), scope: 'files:read files:write' }));
        expect(scopeItem(before.html, 'files:read')).toContain('Already allowed');

        // Reusing a rotated-away refresh token revokes the whole family (RFC 9700 §4.14.2).
        expect((await refreshTokens(as.origin, grant.client.clientId, tokens.refresh_token)).status).toBe(200);
        expect((await refreshTokens(as.origin, grant.client.clientId, tokens.refresh_token)).status).toBe(400);

        const after = await openConsent(authorizeUrl(as.origin, { client: grant.client, pkce: pkcePair(), scope: 'files:read files:write' }));
        expect(after.response.status).toBe(200);
        expect(after.html).not.toMatch(/already allowed|class="mark"/i);
    });
});

/** The consent page's list item for `scope`, from its opening tag to its closing one. */
function scopeItem(page: string, scope: string): string {
    const items = page.match(/<li\b[^>]*>[\s\S]*?<\/li>/g) ?? [];
    return items.find((item) => item.includes(`<span class="scope-name">${scope}</span>`)) ?? '';
}
