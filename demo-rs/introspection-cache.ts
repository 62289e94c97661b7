/**
 * Introspection answers this RS has already received, so that a client making
 * many calls with one opaque token costs the authorization server one
 * introspection request per minute rather than one per call.
 *
 * An answer is reused for at most INTROSPECTION_CACHE_SECONDS after it
 * arrived and never at or past the token's `exp` (RFC 7662 §4: a cached answer
 * must not outlive the token). The price is stated in docs/production.md: a
 * token revoked at the AS stays usable here until its entry runs out. Only
 * active answers are kept; entries are filed under the token's SHA-256
 * digest, so this memory never holds a usable credential; at most
 * MAX_INTROSPECTED_TOKENS are kept, the oldest evicted first.
 */
import { createHash } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/server';

export const INTROSPECTION_CACHE_SECONDS = 60;
export const MAX_INTROSPECTED_TOKENS = 10_000;

interface Entry {
    /** Seconds since the epoch: the first moment the entry may no longer be used. */
    until: number;
    authInfo: AuthInfo;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export class IntrospectionCache {
    readonly #entries = new Map<string, Entry>();

    constructor(private readonly nowSeconds: () => number = () => Date.now() / 1000) {}

    /** The remembered answer for `token`, while it may still be used; undefined: introspect it. */
    recall(token: string): AuthInfo | undefined {
        const id = digest(token);
        const entry = this.#entries.get(id);
        if (!entry) return undefined;
        if (this.nowSeconds() >= entry.until) {
            this.#entries.delete(id);
            return undefined;
        }
        return entry.authInfo;
    }

    /** Keeps an active answer until the earlier of a minute from now and the token's `exp`; one already expired is not kept. */
    remember(token: string, authInfo: AuthInfo): void {
        const now = this.nowSeconds();
        const until = Math.min(now + INTROSPECTION_CACHE_SECONDS, authInfo.expiresAt ?? now);
        if (until <= now) return;
        if (this.#entries.size >= MAX_INTROSPECTED_TOKENS) this.#entries.delete(this.#entries.keys().next().value as string);
        this.#entries.set(digest(token), { until, authInfo });
    }
}
