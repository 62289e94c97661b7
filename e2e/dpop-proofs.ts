/**
 * A DPoP proof maker for tests, able to break every rule on purpose: another
 * alg, a private jwk, a wrong htm/htu/iat/ath, a reused jti, an RSA key whose
 * exponent or modulus is out of bounds. Used by the unit tests of
 * support/dpop-proof.ts and by the hostile tests against the real AS and RS.
 * Well-behaved clients in the suite use the SDK's DpopSession.
 */
import { createHash, createSecretKey, randomUUID } from 'node:crypto';
import { SignJWT, base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { PROOF_MAX_AGE_SECONDS } from '../support/dpop-proof.ts';

export interface ProofKey {
    /** The JWS algorithm its proofs are signed with. */
    alg: string;
    privateKey: CryptoKey;
    publicJwk: JWK;
    privateJwk: JWK;
    jkt: string;
}

/** A fresh key pair for `alg` (ES256 by default; `modulusLength` for RSA algorithms). */
export async function proofKey(alg = 'ES256', options: { modulusLength?: number } = {}): Promise<ProofKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
    const publicJwk = await exportJWK(publicKey);
    return { alg, privateKey, publicJwk, privateJwk: await exportJWK(privateKey), jkt: await calculateJwkThumbprint(publicJwk) };
}

/** A base64url RSA modulus of exactly `bits` bits (top bit set, odd): only its size matters, it is no one's key. */
export function rsaModulusOfBits(bits: number): string {
    const bytes = Buffer.alloc(Math.ceil(bits / 8), 0xa5);
    bytes[0] = 1 << ((bits - 1) % 8);
    bytes[bytes.length - 1] |= 1;
    return bytes.toString('base64url');
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

/** A proof signed with `key` (its alg), with the fields given (and a fresh jti, iat = now by default). */
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
    return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: fields.typ ?? 'dpop+jwt', jwk: fields.jwk ?? key.publicJwk }).sign(key.privateKey);
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

/**
 * Sends one proof twice, its `iat` exactly PROOF_MAX_AGE_SECONDS old: the
 * last second a server accepts it, back-dated so that nothing waits. If the
 * clock turns to the next second before the server checks it (either answer
 * then refuses the proof as too old), it tries again with a fresh proof.
 */
export async function sendTwiceInItsLastSecond<A>(
    sign: (iat: number) => Promise<string>,
    send: (proof: string) => Promise<A>,
    refusedAsTooOld: (answer: A) => boolean
): Promise<[first: A, replay: A]> {
    for (let attempt = 0; attempt < 5; attempt++) {
        const once = await sign(Math.floor(Date.now() / 1000) - PROOF_MAX_AGE_SECONDS);
        const first = await send(once);
        const replay = await send(once);
        if (!refusedAsTooOld(first) && !refusedAsTooOld(replay)) return [first, replay];
    }
    throw new Error('the clock turned a second during each of 5 attempts');
}
