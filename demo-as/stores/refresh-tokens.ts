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
 * The store also answers which scopes a client already holds for a resource
 * (its live, unrevoked families), so the consent page can show what a step-up
 * adds. That answer comes only from these records; a family the index has
 * forgotten just makes a scope look new, never the other way round.
 *
 * At most CAPS.refreshTokens tokens (and as many holders, each with at most
 * CAPS.familiesPerHolder families) are on file; each lives
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
    /** RFC 9449 §5: the DPoP key a public client's refresh tokens are bound to, if the family began with a proof. */
    dpopJkt?: string;
    revoked: boolean;
    currentDigest: string;
}

/** Whose grant: the client, the resource it is for, and the person who approved it. */
export type Holder = Pick<RefreshFamily, 'clientId' | 'resource' | 'subject'>;

export type RefreshLookup =
    | { outcome: 'unknown' }
    | { outcome: 'revoked'; family: RefreshFamily }
    | { outcome: 'rotated-away'; family: RefreshFamily }
    | { outcome: 'current'; family: RefreshFamily };

export class RefreshTokens {
    readonly #store: BoundedStore<RefreshFamily>;
    /** Families by holder, pruned of dead ones whenever the holder gets a new family. */
    readonly #byHolder: BoundedStore<RefreshFamily[]>;

    constructor(now?: Clock) {
        this.#store = new BoundedStore({ maxEntries: CAPS.refreshTokens, ttlMs: LIFETIMES.refreshTokenMs, now });
        this.#byHolder = new BoundedStore({ maxEntries: CAPS.refreshTokens, ttlMs: LIFETIMES.refreshTokenMs, now });
    }

    /** Starts a family for a freshly redeemed code and returns its first refresh token. */
    startFamily(grant: Omit<RefreshFamily, 'revoked' | 'currentDigest'>): { family: RefreshFamily; token: string } {
        const family: RefreshFamily = { ...grant, revoked: false, currentDigest: '' };
        const token = this.rotate(family);
        const key = holderKey(family);
        this.#byHolder.put(key, [...this.#liveFamilies(key), family].slice(-CAPS.familiesPerHolder));
        return { family, token };
    }

    /** The scopes granted to `holder` by a family that is neither revoked nor expired. */
    heldScopes(holder: Holder): Set<string> {
        return new Set(this.#liveFamilies(holderKey(holder)).flatMap((family) => family.grantedScopes));
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
        this.#byHolder.touch(holderKey(family));
        return token;
    }

    revoke(family: RefreshFamily): void {
        family.revoked = true;
    }

    /** A family is live while it is not revoked and its current token is still on file. */
    #liveFamilies(key: string): RefreshFamily[] {
        const families = this.#byHolder.get(key) ?? [];
        return families.filter((family) => !family.revoked && this.#store.get(family.currentDigest) === family);
    }
}

function holderKey(holder: Holder): string {
    return JSON.stringify([holder.clientId, holder.resource, holder.subject]);
}
