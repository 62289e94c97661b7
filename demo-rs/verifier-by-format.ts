/**
 * Which verifier a token goes to: a JWT (compact JWS, RFC 7515 §7.1) is
 * verified locally (token-verifier.ts); anything else is introspected at the
 * AS (introspection.ts) when `--introspection-url` is given, and otherwise
 * refused as malformed by the JWT verifier, as without the flag.
 *
 * JWTs stay local even with introspection on: their signature already carries
 * the AS's word, checking it costs no round trip, and the RS keeps serving
 * them while the introspection endpoint is down. A provider that issues both
 * kinds (Keycloak) gets each checked the way it can be.
 */
import type { OAuthTokenVerifier } from '@modelcontextprotocol/server';

/** Three base64url segments separated by dots (the signature may be empty only to be refused as `alg: none`). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function isJwt(token: string): boolean {
    return COMPACT_JWS.test(token);
}

export function verifierByFormat(jwt: OAuthTokenVerifier, opaque: OAuthTokenVerifier | undefined): OAuthTokenVerifier {
    return {
        verifyAccessToken: (token) => (opaque && !isJwt(token) ? opaque : jwt).verifyAccessToken(token)
    };
}
