/**
 * Authorization codes (RFC 6749 §4.1.2): 256-bit random, bound to the client,
 * the redirect_uri, the PKCE challenge, the resource and the granted scope.
 *
 * A code can be redeemed for --code-ttl seconds (at most 60) and only once:
 * the first redemption attempt marks it redeemed, whatever its outcome. The
 * record is remembered for LIFETIMES.codeReplayMemoryMs after issue, so a
 * second attempt is recognised as a replay and the refresh-token family the
 * first one produced can be revoked. At most CAPS.codes are kept.
 */
import { CAPS, LIFETIMES } from '../policy.ts';
import { digest, newSecret } from '../secrets.ts';
import { BoundedStore, type Clock } from './bounded-store.ts';
import type { RefreshFamily } from './refresh-tokens.ts';

export interface CodeBinding {
    clientId: string;
    redirectUri: string;
    /** Whether the authorization request carried redirect_uri (RFC 6749 §4.1.3 then requires it again). */
    redirectUriSent: boolean;
    codeChallenge: string;
    resource: string;
    grantedScopes: readonly string[];
    subject: string;
}

export interface CodeRecord {
    binding: CodeBinding;
    redeemableUntil: number;
    redeemed: boolean;
    /** The refresh-token family the first redemption started, once it has. */
    family: RefreshFamily | undefined;
}

export type Redemption =
    | { outcome: 'unknown' }
    | { outcome: 'replayed'; record: CodeRecord }
    | { outcome: 'expired'; record: CodeRecord }
    | { outcome: 'first-use'; record: CodeRecord };

export class AuthorizationCodes {
    readonly #store: BoundedStore<CodeRecord>;
    readonly #ttlMs: number;
    readonly #now: Clock;

    constructor(ttlSeconds: number, now: Clock = Date.now) {
        this.#ttlMs = ttlSeconds * 1000;
        this.#now = now;
        this.#store = new BoundedStore({ maxEntries: CAPS.codes, ttlMs: LIFETIMES.codeReplayMemoryMs, now });
    }

    issue(binding: CodeBinding): string {
        const code = newSecret();
        this.#store.put(digest(code), { binding, redeemableUntil: this.#now() + this.#ttlMs, redeemed: false, family: undefined });
        return code;
    }

    /** Looks the code up and uses it up: after this call it can never redeem again. */
    redeem(code: string): Redemption {
        const record = this.#store.get(digest(code));
        if (!record) return { outcome: 'unknown' };
        if (record.redeemed) return { outcome: 'replayed', record };
        record.redeemed = true;
        if (this.#now() >= record.redeemableUntil) return { outcome: 'expired', record };
        return { outcome: 'first-use', record };
    }
}
