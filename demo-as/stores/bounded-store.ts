/**
 * A key–value store with a hard cap and an expiry, the building block of
 * every store in the demo AS. Nothing an unauthenticated caller can trigger
 * may grow memory without bound, so each store says up front how many entries
 * it keeps and for how long.
 *
 * Entries live in a Map in insertion order. Every entry gets the same
 * lifetime, so the oldest entry is also the first to expire: expired entries
 * are swept from the front, and when the store is full the front entry (the
 * oldest) is evicted. `touch` moves an entry to the back, which turns the
 * same structure into a least-recently-used cache.
 */

export type Clock = () => number;

interface Slot<V> {
    value: V;
    expiresAt: number;
}

export class BoundedStore<V> {
    readonly #slots = new Map<string, Slot<V>>();
    readonly #maxEntries: number;
    readonly #ttlMs: number;
    readonly #now: Clock;

    constructor(options: { maxEntries: number; ttlMs: number; now?: Clock }) {
        this.#maxEntries = options.maxEntries;
        this.#ttlMs = options.ttlMs;
        this.#now = options.now ?? Date.now;
    }

    get size(): number {
        this.#sweepExpired();
        return this.#slots.size;
    }

    /** Stores `value`, evicting the oldest entries first if the store is full. */
    put(key: string, value: V): void {
        this.#sweepExpired();
        this.#slots.delete(key);
        while (this.#slots.size >= this.#maxEntries) this.#evictOldest();
        this.#slots.set(key, { value, expiresAt: this.#now() + this.#ttlMs });
    }

    /** The live value for `key`, or undefined if it never existed, expired or was evicted. */
    get(key: string): V | undefined {
        const slot = this.#slots.get(key);
        if (!slot) return undefined;
        if (slot.expiresAt <= this.#now()) {
            this.#slots.delete(key);
            return undefined;
        }
        return slot.value;
    }

    /** Removes and returns the live value for `key`: the way to make something single use. */
    take(key: string): V | undefined {
        const value = this.get(key);
        this.#slots.delete(key);
        return value;
    }

    /** Marks `key` as just used: it moves to the back of the eviction order and its lifetime restarts. */
    touch(key: string): void {
        const value = this.get(key);
        if (value === undefined) return;
        this.#slots.delete(key);
        this.#slots.set(key, { value, expiresAt: this.#now() + this.#ttlMs });
    }

    #evictOldest(): void {
        const oldest = this.#slots.keys().next();
        if (!oldest.done) this.#slots.delete(oldest.value);
    }

    #sweepExpired(): void {
        const now = this.#now();
        for (const [key, slot] of this.#slots) {
            if (slot.expiresAt > now) return;
            this.#slots.delete(key);
        }
    }
}
