/**
 * Access tokens this RS has already verified, so that a client making many
 * calls with one token pays for the ES256 signature check once rather than
 * on every call (it is most of what authentication costs per request; see
 * docs/benchmarks.md, rsAuthRatio).
 *
 * A remembered token is accepted again only while
 * - its `exp` is in the future, checked on every use exactly as the full
 *   verification checks it (RFC 7519 §4.1.4), and
 * - the key that verified its signature is still the key the RS's current
 *   key set yields for it: the key is looked up again on every use, and a
 *   refreshed JWKS (a restarted AS, a removed key) yields new key objects, so
 *   after a refresh every token is verified in full again, and one signed by
 *   a key the AS no longer publishes is refused (docs/benchmarks.md, "tokens
 *   signed by a vanished key").
 * Everything else the full verification checks (signature, alg, typ, iss,
 * aud, required claims) cannot change for a given token string. Only
 * successful verifications are remembered; entries are filed under the
 * token's SHA-256 digest, so this memory never holds a usable credential;
 * at most MAX_VERIFIED_TOKENS are kept, the oldest evicted first.
 */
import { createHash } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { JWTHeaderParameters, JWTVerifyGetKey } from 'jose';

export const MAX_VERIFIED_TOKENS = 10_000;

export type VerificationKey = Awaited<ReturnType<JWTVerifyGetKey>>;

interface Verified {
    header: JWTHeaderParameters;
    key: VerificationKey;
    /** Seconds since the epoch. */
    expiresAt: number;
    authInfo: AuthInfo;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export class VerifiedTokens {
    readonly #entries = new Map<string, Verified>();

    constructor(
        private readonly keys: JWTVerifyGetKey,
        private readonly nowSeconds: () => number = () => Date.now() / 1000
    ) {}

    /** The AuthInfo of `token` if it was verified before and still may be accepted; undefined: verify it in full. */
    async recall(token: string): Promise<AuthInfo | undefined> {
        const id = digest(token);
        const entry = this.#entries.get(id);
        if (!entry) return undefined;
        // RFC 7519 §4.1.4 on every use; and the key must still be the one the current key set yields.
        if (entry.expiresAt <= this.nowSeconds() || (await this.#currentKey(entry, token)) !== entry.key) {
            this.#entries.delete(id);
            return undefined;
        }
        return { ...entry.authInfo, token };
    }

    /** The key the RS's key set yields for the token now; undefined when it yields none (or cannot be asked). */
    async #currentKey(entry: Verified, token: string): Promise<VerificationKey | undefined> {
        const [protectedHeader, payload, signature] = token.split('.');
        try {
            return await this.keys(entry.header, { protected: protectedHeader, payload, signature });
        } catch {
            return undefined;
        }
    }

    /** Files a token that has just passed full verification with `key`. */
    remember(token: string, header: JWTHeaderParameters, key: VerificationKey, authInfo: AuthInfo): void {
        if (authInfo.expiresAt === undefined) return;
        if (this.#entries.size >= MAX_VERIFIED_TOKENS) this.#entries.delete(this.#entries.keys().next().value as string);
        this.#entries.set(digest(token), { header, key, expiresAt: authInfo.expiresAt, authInfo });
    }
}
