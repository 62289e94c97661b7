/**
 * Random secrets and how the AS keeps them. Codes, refresh tokens, consent
 * request ids and consent cookies are 256-bit random values (RFC 6749 §10.10:
 * the probability of guessing one must be negligible). The stores index them
 * by their SHA-256 digest, so the AS's memory never holds a usable credential.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh 256-bit secret, base64url (43 characters). */
export function newSecret(): string {
    return randomBytes(32).toString('base64url');
}

/** The SHA-256 digest of `value`, base64url: the key a store files a secret under. */
export function digest(value: string): string {
    return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Compares two digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
}
