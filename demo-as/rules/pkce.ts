/**
 * PKCE (RFC 7636), S256 only: the client proves at /token that it is the one
 * that started the authorization, so a stolen code is worthless on its own.
 */
import { createHash } from 'node:crypto';
import { sameDigest } from '../secrets.ts';

export const CODE_CHALLENGE_METHOD = 'S256';

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is exactly 43 characters. */
export function isS256Challenge(challenge: string): boolean {
    return /^[A-Za-z0-9_-]{43}$/.test(challenge);
}

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export function isWellFormedVerifier(verifier: string): boolean {
    return /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
export function verifierMatchesChallenge(verifier: string, challenge: string): boolean {
    if (!isWellFormedVerifier(verifier)) return false;
    return sameDigest(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge);
}
