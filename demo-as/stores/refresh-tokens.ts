/**
 * Refresh tokens with rotation and reuse detection (RFC 9700 §4.14.2,
 * RFC 6749 §6, §10.4).
 *
 * Every code redemption starts a family. Each use of the family's current
 * refresh token rotates it: a new token becomes current and the old one stays
 * on file until it expires, only so that its reuse is recognised. Presenting
 * a token that is no longer current means two parties hold the family, so
 * the whole family is revoked and every token of it refused from then on.
 *
 * Access tokens are stateless JWTs and are not tracked here: revoking a
 * family stops new access tokens, while those already issued stay valid
 * until they expire (--access-token-ttl, 300 s by default).
 *
 * At most CAPS.refreshTokens tokens are on file; each lives
 * LIFETIMES.refreshTokenMs.
 */
import { CAPS, LIFETIMES } from '../policy.ts';
import { digest, newSecret } from '../secrets.ts';
import { BoundedStore, type Clock } from './bounded-store.ts';

export interface RefreshFamily {
    clientId: string;
    /** What the person approved; a refresh may narrow the access token's scope, never widen it. */
    grantedScopes: readonly string[];
    resource: string;
    subject: string;
    revoked: boolean;
    currentDigest: string;
}

export type RefreshLookup =
    | { outcome: 'unknown' }
    | { outcome: 'revoked'; family: RefreshFamily }
    | { outcome: 'rotated-away'; family: RefreshFamily }
    | { outcome: 'current'; family: RefreshFamily };

export class RefreshTokens {
    readonly #store: BoundedStore<RefreshFamily>;

    constructor(now?: Clock) {
        this.#store = new BoundedStore({ maxEntries: CAPS.refreshTokens, ttlMs: LIFETIMES.refreshTokenMs, now });
    }

    /** Starts a family for a freshly redeemed code and returns its first refresh token. */
    startFamily(grant: Omit<RefreshFamily, 'revoked' | 'currentDigest'>): { family: RefreshFamily; token: string } {
        const family: RefreshFamily = { ...grant, revoked: false, currentDigest: '' };
        return { family, token: this.rotate(family) };
    }

    lookup(token: string): RefreshLookup {
        const tokenDigest = digest(token);
        const family = this.#store.get(tokenDigest);
        if (!family) return { outcome: 'unknown' };
        if (family.revoked) return { outcome: 'revoked', family };
        if (family.currentDigest !== tokenDigest) return { outcome: 'rotated-away', family };
        return { outcome: 'current', family };
    }

    /** Issues the family's next refresh token; the previous one stops being current. */
    rotate(family: RefreshFamily): string {
        const token = newSecret();
        family.currentDigest = digest(token);
        this.#store.put(family.currentDigest, family);
        return token;
    }

    revoke(family: RefreshFamily): void {
        family.revoked = true;
    }
}
