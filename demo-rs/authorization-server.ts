/**
 * How the RS learns the AS's signing keys: over HTTP only, and lazily.
 *
 * On the first token to verify, the RS fetches the AS's RFC 8414 metadata,
 * checks its `issuer`, and builds a jose remote JWKS from its `jwks_uri`. So
 * the RS starts even when the AS is not up yet. If the AS cannot be reached
 * (or its keys cannot be fetched) the caller gets an
 * `AuthorizationServerUnavailableError` — answered 503, never a crash — and
 * the next request starts discovery afresh, which also picks up a restarted AS.
 */
import type { JWTVerifyGetKey } from 'jose';
// jose's per-function entry points: its index loads all ~45 of its modules at start-up (docs/benchmarks.md).
import * as errors from 'jose/errors';
import { createRemoteJWKSet } from 'jose/jwks/remote';

/** Generous: under load (50 clients logging in at once on 2 cores) the AS can take seconds to answer, and a timeout here fails every waiting call with 503. */
const FETCH_TIMEOUT_MS = 10_000;

/** Short, so a restarted AS's new key is fetched promptly; it still caps JWKS fetches caused by unknown `kid`s to one a second. */
const JWKS_COOLDOWN_MS = 1000;

export class AuthorizationServerUnavailableError extends Error {
    constructor(readonly reason: string) {
        super('The authorization server could not be reached to fetch its signing keys; try again shortly.');
        this.name = 'AuthorizationServerUnavailableError';
    }
}

/** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
export function metadataUrlFor(issuer: string): URL {
    const url = new URL(issuer);
    const path = url.pathname === '/' ? '' : url.pathname;
    return new URL(`/.well-known/oauth-authorization-server${path}`, url.origin);
}

async function fetchJwksUri(issuer: string): Promise<URL> {
    let response: Response;
    try {
        response = await fetch(metadataUrlFor(issuer), { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch {
        throw new AuthorizationServerUnavailableError('its metadata could not be fetched');
    }
    if (response.status !== 200) throw new AuthorizationServerUnavailableError(`its metadata answered HTTP ${response.status}`);
    const metadata: unknown = await response.json().catch(() => undefined);
    if (typeof metadata !== 'object' || metadata === null) throw new AuthorizationServerUnavailableError('its metadata is not a JSON object');
    const { issuer: advertised, jwks_uri: jwksUri } = metadata as Record<string, unknown>;
    // RFC 8414 §3.3: the metadata's issuer must be exactly the issuer we were configured with.
    if (advertised !== issuer) throw new AuthorizationServerUnavailableError('its metadata names a different issuer');
    if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw new AuthorizationServerUnavailableError('its metadata has no usable jwks_uri');
    const url = new URL(jwksUri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AuthorizationServerUnavailableError('its jwks_uri is not http(s)');
    return url;
}

/** A jose key resolver for `issuer`'s tokens that discovers the JWKS on first use and rediscovers after a failure. */
export function lazyIssuerKeys(issuer: string, onUnavailable: (error: AuthorizationServerUnavailableError) => void): JWTVerifyGetKey {
    let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

    const forget = (failed: typeof keySet, error: AuthorizationServerUnavailableError): never => {
        if (keySet === failed) keySet = undefined;
        onUnavailable(error);
        throw error;
    };

    return async (protectedHeader, token) => {
        const current = (keySet ??= fetchJwksUri(issuer).then((jwksUri) =>
            createRemoteJWKSet(jwksUri, { cooldownDuration: JWKS_COOLDOWN_MS, timeoutDuration: FETCH_TIMEOUT_MS })
        ));
        const jwks = await current.catch((error: AuthorizationServerUnavailableError) => forget(current, error));
        try {
            return await jwks(protectedHeader, token);
        } catch (error) {
            // A token whose kid matches no published key is the token's fault; anything else is the key source's.
            if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
            return forget(current, new AuthorizationServerUnavailableError('its JWKS could not be fetched'));
        }
    };
}
