/**
 * The AS's signing key and the access tokens it signs (RFC 9068).
 *
 * One ES256 key pair is made at start-up and lives only in this process's
 * memory: a restart invalidates every token, and the private key is never
 * written anywhere. The public half is published at /jwks with a `kid` (its
 * RFC 7638 thumbprint), which is where the resource server gets it.
 */
import { randomUUID } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';
// jose's per-function entry points: its index loads all ~45 of its modules at start-up (docs/benchmarks.md).
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import { SignJWT } from 'jose/jwt/sign';

const ALGORITHM = 'ES256';

export interface AccessTokenClaims {
    issuer: string;
    subject: string;
    /** RFC 8707: the resource the token is for. */
    audience: string;
    clientId: string;
    scope: string;
    lifetimeSeconds: number;
    /** RFC 9449 §6.1: the thumbprint of the DPoP key the token is bound to, as `cnf.jkt`. */
    dpopJkt?: string;
}

export interface SigningKey {
    /** RFC 7517 JWK Set with the public key only. */
    jwks: { keys: JWK[] };
    signAccessToken(claims: AccessTokenClaims): Promise<string>;
}

export async function createSigningKey(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM);
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    return {
        jwks: { keys: [{ ...publicJwk, kid, alg: ALGORITHM, use: 'sig' }] },
        signAccessToken: (claims) => signAccessToken(privateKey, kid, claims)
    };
}

/** RFC 9068 §2: header typ "at+jwt"; claims iss, exp, aud, sub, client_id, iat, jti (+ scope, §2.2.3). */
function signAccessToken(privateKey: CryptoKey, kid: string, claims: AccessTokenClaims): Promise<string> {
    const issuedAt = Math.floor(Date.now() / 1000);
    const confirmation = claims.dpopJkt ? { cnf: { jkt: claims.dpopJkt } } : {};
    return new SignJWT({ client_id: claims.clientId, scope: claims.scope, ...confirmation })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'at+jwt', kid })
        .setIssuer(claims.issuer)
        .setSubject(claims.subject)
        .setAudience(claims.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + claims.lifetimeSeconds)
        .setJti(randomUUID())
        .sign(privateKey);
}
