/**
 * The RS's `OAuthTokenVerifier` (the SDK's interface): JWT access tokens
 * (RFC 9068) checked locally with jose against the AS's published keys.
 *
 * What a token must satisfy, each a separate refusal with its own message:
 * a signature by one of the AS's keys with an allowed algorithm, `typ: at+jwt`,
 * `iss` = the configured issuer, `aud` = this RS's resource URL, an `exp` in
 * the future, and a `client_id`. The messages are fixed strings: nothing from
 * the token is echoed back.
 */
import { OAuthError, OAuthErrorCode, type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import type { JWTPayload, JWTVerifyGetKey, JWTVerifyResult } from 'jose';
// jose's per-function entry points: its index loads all ~45 of its modules at start-up (docs/benchmarks.md).
import * as errors from 'jose/errors';
import { jwtVerify } from 'jose/jwt/verify';
import { AuthorizationServerUnavailableError } from './authorization-server.ts';
import { JKT_EXTRA } from './dpop-binding.ts';
import { VerifiedTokens, type VerificationKey } from './verified-tokens.ts';

/**
 * RFC 8725 §3.1 / RFC 9068 §4: an explicit allow-list — every asymmetric JWS algorithm a real AS may sign
 * access tokens with (RFC 7518 §3.1, RFC 8037, and RFC 9864's fully-specified `Ed25519`, which oidc-provider 9
 * signs with), never `none` and never HMAC (the RS holds no shared secret, and a public key must not be usable
 * as one). jose still checks that each key's type fits the algorithm.
 */
export const ALLOWED_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'];

/** RFC 9068 §2.1: an access token's JOSE header says `typ: at+jwt`. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** The reason a token was refused, as a fixed sentence (no token text). */
export function refusalReason(error: unknown): string {
    if (error instanceof errors.JWTExpired) return 'The access token has expired.';
    if (error instanceof errors.JWTClaimValidationFailed) {
        if (error.claim === 'iss') return 'The access token was issued by a different authorization server.';
        if (error.claim === 'aud') return 'The access token was issued for a different resource.';
        if (error.claim === 'typ') return 'The token is not an access token (typ must be at+jwt).';
        if (error.reason === 'missing') return 'The access token lacks a required claim.';
        return 'An access token claim is not acceptable.';
    }
    if (error instanceof errors.JOSEAlgNotAllowed) return 'The access token is signed with an algorithm this server does not accept.';
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
        return "The access token's signature does not verify with the authorization server's keys.";
    }
    return 'The access token is malformed.';
}

function invalidToken(message: string): OAuthError {
    return new OAuthError(OAuthErrorCode.InvalidToken, message);
}

function authInfoFrom(token: string, payload: JWTPayload, resource: URL): AuthInfo {
    const { client_id: clientId, scope } = payload;
    if (typeof clientId !== 'string' || clientId === '') throw invalidToken('The access token has no client_id.');
    if (scope !== undefined && typeof scope !== 'string') throw invalidToken('The access token scope is not a string.');
    const jkt = confirmedKey(payload);
    return {
        token,
        clientId,
        scopes: scope ? scope.split(' ').filter(Boolean) : [],
        expiresAt: payload.exp,
        resource,
        ...(jkt !== undefined && { extra: { [JKT_EXTRA]: jkt } })
    };
}

/** RFC 9449 §6.1: a DPoP-bound token carries `cnf.jkt`; a `cnf` without a usable one is not accepted. */
function confirmedKey(payload: JWTPayload): string | undefined {
    if (payload.cnf === undefined) return undefined;
    const jkt = (payload.cnf as { jkt?: unknown } | null)?.jkt;
    if (typeof jkt !== 'string' || jkt === '') throw invalidToken('The access token cnf claim has no key thumbprint.');
    return jkt;
}

export function jwtAccessTokenVerifier(options: { issuer: string; resource: URL; keys: JWTVerifyGetKey }): OAuthTokenVerifier {
    const { issuer, resource, keys } = options;
    // A token seen before skips the signature check while its exp and its key still hold (verified-tokens.ts).
    const verified = new VerifiedTokens(keys);
    return {
        async verifyAccessToken(token) {
            const recalled = await verified.recall(token);
            if (recalled) return recalled;
            let result: JWTVerifyResult & { key: VerificationKey };
            try {
                result = await jwtVerify(token, keys, {
                    algorithms: ALLOWED_ALGORITHMS,
                    typ: ACCESS_TOKEN_TYP,
                    issuer, // RFC 9068 §4: iss must be the AS we trust
                    audience: resource.href, // RFC 9068 §4 / RFC 8707: aud must be this resource
                    requiredClaims: ['exp', 'client_id'] // RFC 9068 §2.2
                });
            } catch (error) {
                if (error instanceof AuthorizationServerUnavailableError) throw error;
                throw invalidToken(refusalReason(error));
            }
            const authInfo = authInfoFrom(token, result.payload, resource);
            verified.remember(token, result.protectedHeader, result.key, authInfo);
            return authInfo;
        }
    };
}
