/**
 * Revoking a refresh token at its authorization server (RFC 7009), for
 * `logout`. The SDK finds the server's metadata; it has no revocation call
 * of its own, so the request itself is the small form post RFC 7009 §2.1
 * describes, authenticated as a public client (client_id only).
 *
 * Only refresh tokens are sent: the access tokens the AS issues are
 * stateless JWTs that end with their `exp`, and revoking the refresh token
 * is what stops new ones from being made.
 */
import { discoverAuthorizationServerMetadata } from '@modelcontextprotocol/client';
import { assertHttpsOrLoopback, InsecureEndpointError } from './credential-endpoint.ts';
import { showIssuer } from './plain-text.ts';

export interface HeldRefreshToken {
    issuer: string;
    resource: string;
    clientId: string | undefined;
    refreshToken: string;
}

export type RevocationOutcome =
    | { outcome: 'revoked' }
    | { outcome: 'not-offered' }
    | { outcome: 'failed'; reason: string };

const TIMEOUT_MS = 10_000;

export async function revokeRefreshToken(held: HeldRefreshToken): Promise<RevocationOutcome> {
    if (held.clientId === undefined) return { outcome: 'failed', reason: 'no registration is stored for that authorization server' };
    const fetchFn = (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    try {
        const metadata = await discoverAuthorizationServerMetadata(held.issuer, { fetchFn });
        // RFC 8414 §2: revocation_endpoint (OpenID Connect discovery documents have no such field).
        const endpoint = metadata && 'revocation_endpoint' in metadata ? metadata.revocation_endpoint : undefined;
        if (!endpoint) return { outcome: 'not-offered' };
        assertHttpsOrLoopback('revocation_endpoint', endpoint, `the authorization server metadata of ${showIssuer(held.issuer)}`);
        // RFC 7009 §2.1: token, its type as a hint, and the public client's client_id.
        const response = await fetchFn(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ token: held.refreshToken, token_type_hint: 'refresh_token', client_id: held.clientId })
        });
        // RFC 7009 §2.2: 200 means revoked, or unknown to the server, which is as good.
        if (response.ok) return { outcome: 'revoked' };
        return { outcome: 'failed', reason: `the authorization server answered ${response.status}${await errorCode(response)}` };
    } catch (error) {
        if (error instanceof InsecureEndpointError) return { outcome: 'failed', reason: error.message };
        return { outcome: 'failed', reason: error instanceof Error && error.name === 'TimeoutError' ? 'no answer within 10 s' : 'the authorization server could not be reached' };
    }
}

/** The RFC 6749 §5.2 error code, if the body has one that looks like one; never free text from the server. */
async function errorCode(response: Response): Promise<string> {
    try {
        const body = (await response.json()) as { error?: unknown };
        return typeof body.error === 'string' && /^[a-z_]{1,40}$/.test(body.error) ? ` ${body.error}` : '';
    } catch {
        return '';
    }
}
