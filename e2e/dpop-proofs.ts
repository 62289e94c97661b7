/**
 * A DPoP proof maker for tests, able to break every rule on purpose: another
 * alg, a private jwk, a wrong htm/htu/iat/ath, a reused jti. Used by the unit
 * tests of support/dpop-proof.ts and by the hostile tests against the real
 * AS and RS. Well-behaved clients in the suite use the SDK's DpopSession.
 */
import { createHash, createSecretKey, randomUUID } from 'node:crypto';
import { SignJWT, base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface ProofKey {
    privateKey: CryptoKey;
    publicJwk: JWK;
    privateJwk: JWK;
    jkt: string;
}

export async function proofKey(): Promise<ProofKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    return { privateKey, publicJwk, privateJwk: await exportJWK(privateKey), jkt: await calculateJwkThumbprint(publicJwk) };
}

export interface ProofFields {
    htm: string;
    htu: string;
    accessToken?: string;
    iat?: number;
    jti?: string;
    nonce?: string;
    ath?: string;
    typ?: string;
    /** The jwk put in the header (default: the key's public half). */
    jwk?: JWK;
}

const athOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A proof signed with `key`, ES256, with the fields given (and a fresh jti, iat = now by default). */
export function proof(key: ProofKey, fields: ProofFields): Promise<string> {
    const claims: Record<string, unknown> = {
        htm: fields.htm,
        htu: fields.htu,
        jti: fields.jti ?? randomUUID(),
        iat: fields.iat ?? Math.floor(Date.now() / 1000)
    };
    if (fields.nonce !== undefined) claims.nonce = fields.nonce;
    if (fields.ath !== undefined) claims.ath = fields.ath;
    else if (fields.accessToken !== undefined) claims.ath = athOf(fields.accessToken);
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: fields.typ ?? 'dpop+jwt', jwk: fields.jwk ?? key.publicJwk }).sign(key.privateKey);
}

/** An HS256 "proof" (a MAC, which RFC 9449 forbids), with a symmetric jwk in its header. */
export function hmacProof(fields: ProofFields): Promise<string> {
    const secret = createSecretKey(Buffer.alloc(32, 7));
    const jwk = { kty: 'oct', k: base64url.encode(Buffer.alloc(32, 7)) };
    return new SignJWT({ htm: fields.htm, htu: fields.htu, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
        .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk })
        .sign(secret);
}

/** An unsigned `alg: none` "proof". */
export function unsignedProof(key: ProofKey, fields: ProofFields): string {
    const part = (value: object) => base64url.encode(JSON.stringify(value));
    const claims = { htm: fields.htm, htu: fields.htu, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) };
    return `${part({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${part(claims)}.`;
}
