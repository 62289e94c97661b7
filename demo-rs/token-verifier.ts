/**
 * The RS's `OAuthTokenVerifier` (the SDK's interface) for JWT access tokens
 * (RFC 9068), checked locally with jose against the AS's published keys.
 *
 * What a token must satisfy, each a separate refusal with its own message:
 * a signature by one of the AS's keys with an allowed algorithm, `typ: at+jwt`
 * (or a `typ` `--accept-typ` adds), `iss` = the configured issuer, `aud` = this
 * RS's resource URL (or one of the `--audience` values), an `exp` in the
 * future, and a `client_id`. The messages are fixed strings: nothing from the
 * token is echoed back.
 */
import type { OAuthTokenVerifier } from '@modelcontextprotocol/server';
import type { JWTVerifyGetKey, JWTVerifyResult } from 'jose';
// jose's per-function entry points: its index loads all ~45 of its modules at start-up (docs/benchmarks.md).
import * as errors from 'jose/errors';
import { jwtVerify } from 'jose/jwt/verify';
import { AuthorizationServerUnavailableError } from './authorization-server.ts';
import { ACCESS_TOKEN_TYP, authInfoFromClaims, invalidToken, typAccepted, type ExtraTyp } from './token-claims.ts';
import { VerifiedTokens, type VerificationKey } from './verified-tokens.ts';

/**
 * RFC 8725 §3.1 / RFC 9068 §4: an explicit allow-list — every asymmetric JWS algorithm a real AS may sign
 * access tokens with (RFC 7518 §3.1, RFC 8037, and RFC 9864's fully-specified `Ed25519`, which oidc-provider 9
 * signs with), never `none` and never HMAC (the RS holds no shared secret, and a public key must not be usable
 * as one). jose still checks that each key's type fits the algorithm.
 */
export const ALLOWED_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'];

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

/** The typ refusal, naming what this RS was told to accept (its own configuration, never the token's text). */
function typRefusal(extra: readonly ExtraTyp[]): string {
    const accepted = [ACCESS_TOKEN_TYP, ...extra.map((typ) => (typ === 'none' ? 'no typ' : typ))];
    return `The token is not an access token (typ must be ${accepted.join(' or ')}).`;
}

export interface JwtVerifierOptions {
    issuer: string;
    resource: URL;
    /** The accepted `aud` values: the `--audience` values instead of the resource URL (default: the resource URL only). */
    audiences?: string[];
    /** What `--accept-typ` adds to `at+jwt` (default: nothing). */
    extraTyps?: readonly ExtraTyp[];
    keys: JWTVerifyGetKey;
}

export function jwtAccessTokenVerifier(options: JwtVerifierOptions): OAuthTokenVerifier {
    const { issuer, resource, audiences = [resource.href], extraTyps = [], keys } = options;
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
                    issuer, // RFC 9068 §4: iss must be the AS we trust
                    audience: audiences, // RFC 9068 §4 / RFC 8707: aud must be this resource (a string or an array, any one matching)
                    requiredClaims: ['exp', 'client_id'] // RFC 9068 §2.2
                });
            } catch (error) {
                if (error instanceof AuthorizationServerUnavailableError) throw error;
                throw invalidToken(refusalReason(error));
            }
            // RFC 9068 §4 / RFC 8725 §3.11: the header says this is an access token (at+jwt, or what --accept-typ adds).
            if (!typAccepted(result.protectedHeader.typ, extraTyps)) throw invalidToken(typRefusal(extraTyps));
            const authInfo = authInfoFromClaims(token, result.payload, resource);
            verified.remember(token, result.protectedHeader, result.key, authInfo);
            return authInfo;
        }
    };
}
