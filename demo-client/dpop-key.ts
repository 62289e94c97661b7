/**
 * The client's DPoP key (RFC 9449) and how it is kept in the token store.
 *
 * The key lives exactly as long as the tokens bound to it: it is saved with
 * the resource's entry in the 0600 token store, next to the refresh token the
 * authorization server bound to it (RFC 9449 §5), and goes when that entry
 * goes (`logout`, a resource forgotten). Without it a stored refresh token
 * would be useless after the process ends, and every `call` would need a new
 * consent. The price: the private key is on disk, as readable as the refresh
 * token itself — a real client would hold it in a platform key store,
 * non-extractable (RFC 9449 §11.1). Signing proofs is the SDK's DpopSession.
 */
import { generateDpopKeyPair, type DpopKeyPair } from '@modelcontextprotocol/client';
import type { JWK } from 'jose';
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
import { exportJWK } from 'jose/key/export';
import { importJWK } from 'jose/key/import';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext'];

/** A new ES256 key pair, extractable so that it can be stored. */
export function newDpopKeyPair(): Promise<DpopKeyPair> {
    return generateDpopKeyPair({ alg: 'ES256', extractable: true });
}

/** The private JWK to store (it holds the public members too), with its algorithm. */
export async function storableKey(keyPair: DpopKeyPair): Promise<JWK> {
    return { ...(await exportJWK(keyPair.privateKey)), alg: keyPair.alg };
}

/** The key pair back from its stored JWK; undefined when the stored value is not a usable key. */
export async function keyPairFrom(stored: JWK): Promise<DpopKeyPair | undefined> {
    if (stored.alg !== 'ES256' || typeof stored.d !== 'string') return undefined;
    const publicJwk = Object.fromEntries(Object.entries(stored).filter(([name]) => !PRIVATE_MEMBERS.includes(name) && name !== 'alg')) as JWK;
    try {
        const privateKey = (await importJWK(stored, 'ES256', { extractable: true })) as CryptoKey;
        const publicKey = (await importJWK(publicJwk, 'ES256')) as CryptoKey;
        return { privateKey, publicKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk), alg: 'ES256' };
    } catch {
        return undefined;
    }
}
