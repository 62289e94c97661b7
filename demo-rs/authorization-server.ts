/**
 * How the RS learns the AS's signing keys: over HTTP only, and lazily.
 *
 * On the first token to verify, the RS finds the AS's metadata (RFC 8414, or
 * OpenID Connect Discovery as the fallback the MCP authorization spec lists),
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

/** The AS is needed and cannot answer: for its keys here, or for an introspection (introspection.ts). Answered 503 by bearer-auth.ts. */
export class AuthorizationServerUnavailableError extends Error {
    constructor(
        readonly reason: string,
        message = 'The authorization server could not be reached to fetch its signing keys; try again shortly.'
    ) {
        super(message);
        this.name = 'AuthorizationServerUnavailableError';
    }
}

/** One metadata location tried, and what it answered (status, or why there was no answer). */
interface Attempt {
    url: URL;
    answer: string;
}

/** "url → answer; url → answer", for the 503's log line: every location tried, in order. */
function describeAttempts(attempts: Attempt[]): string {
    return attempts.map(({ url, answer }) => `${url.href} → ${answer}`).join('; ');
}

/**
 * Where the issuer's metadata may be, in the order the MCP authorization spec gives: RFC 8414 §3.1
 * (well-known segment inserted before the issuer's path) first, then OpenID Connect Discovery —
 * inserted, then appended (OIDC Discovery §4), for an issuer with a path. This is the list the SDK's
 * client-side `buildDiscoveryUrls` makes (e2e/unit/rs-rules.test.ts holds the two equal); the RS does
 * not import it because the client package costs ~150 ms to load on the first token's path.
 */
export function metadataUrlsFor(issuer: string): URL[] {
    const { origin, pathname } = new URL(issuer);
    const path = pathname.replace(/\/$/, '');
    if (!path) return [new URL('/.well-known/oauth-authorization-server', origin), new URL('/.well-known/openid-configuration', origin)];
    return [
        new URL(`/.well-known/oauth-authorization-server${path}`, origin),
        new URL(`/.well-known/openid-configuration${path}`, origin),
        new URL(`${path}/.well-known/openid-configuration`, origin)
    ];
}

/** The metadata at `url`, or why it is not usable there (recorded in `attempts`). */
async function fetchMetadata(url: URL, attempts: Attempt[]): Promise<Record<string, unknown> | undefined> {
    let response: Response;
    try {
        response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (error) {
        const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
        const redirected = !cause?.code && /redirect/i.test(cause?.message ?? '');
        const answer = (error as Error).name === 'TimeoutError' ? 'no answer within 10 s' : redirected ? 'a redirect (not followed)' : `no connection${cause?.code ? ` (${cause.code})` : ''}`;
        attempts.push({ url, answer });
        return undefined;
    }
    if (response.status !== 200) {
        await response.body?.cancel();
        attempts.push({ url, answer: `HTTP ${response.status}` });
        return undefined;
    }
    const metadata: unknown = await response.json().catch(() => undefined);
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        attempts.push({ url, answer: 'HTTP 200, not a JSON object' });
        return undefined;
    }
    attempts.push({ url, answer: 'HTTP 200' });
    return metadata as Record<string, unknown>;
}

async function fetchJwksUri(issuer: string): Promise<URL> {
    const attempts: Attempt[] = [];
    let metadata: Record<string, unknown> | undefined;
    for (const url of metadataUrlsFor(issuer)) {
        metadata = await fetchMetadata(url, attempts);
        if (metadata) break;
    }
    if (!metadata) throw new AuthorizationServerUnavailableError(`its metadata could not be fetched (tried ${describeAttempts(attempts)})`);
    const from = attempts.at(-1)!.url.href;
    const { issuer: advertised, jwks_uri: jwksUri } = metadata;
    // RFC 8414 §3.3 / OIDC Discovery §4.3: the metadata's issuer must be exactly the issuer we were configured with.
    if (advertised !== issuer) throw new AuthorizationServerUnavailableError(`its metadata names a different issuer (at ${from})`);
    if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw new AuthorizationServerUnavailableError(`its metadata has no usable jwks_uri (at ${from})`);
    const url = new URL(jwksUri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AuthorizationServerUnavailableError(`its jwks_uri is not http(s) (at ${from})`);
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
