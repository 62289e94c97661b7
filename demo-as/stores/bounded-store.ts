/**
 * A key–value store with a hard cap and an expiry, the building block of
 * every store in the demo AS. Nothing an unauthenticated caller can trigger
 * may grow memory without bound, so each store says up front how many entries
 * it keeps and for how long.
 *
 * Entries sit in a Map for lookup and in a doubly linked list from oldest to
 * newest. Every entry gets the same lifetime, so the oldest entry is also the
 * first to expire: expired entries are dropped from the front, and when the
 * store is full the front entry is evicted. `touch` moves an entry to the back
 * and restarts its lifetime, which makes the same structure a
 * least-recently-used cache. Every operation is O(1).
 */

export type Clock = () => number;

interface Entry<V> {
    key: string;
    value: V;
    expiresAt: number;
    older: Entry<V> | undefined;
    newer: Entry<V> | undefined;
}

export class BoundedStore<V> {
    readonly #entries = new Map<string, Entry<V>>();
    #oldest: Entry<V> | undefined;
    #newest: Entry<V> | undefined;
    readonly #maxEntries: number;
    readonly #ttlMs: number;
    readonly #now: Clock;

    constructor(options: { maxEntries: number; ttlMs: number; now?: Clock }) {
        this.#maxEntries = options.maxEntries;
        this.#ttlMs = options.ttlMs;
        this.#now = options.now ?? Date.now;
    }

    get size(): number {
        this.#dropExpired();
        return this.#entries.size;
    }

    /** Stores `value`, evicting the oldest entries first if the store is full. */
    put(key: string, value: V): void {
        this.#dropExpired();
        this.delete(key);
        while (this.#oldest && this.#entries.size >= this.#maxEntries) this.delete(this.#oldest.key);
        const entry: Entry<V> = { key, value, expiresAt: this.#now() + this.#ttlMs, older: undefined, newer: undefined };
        this.#entries.set(key, entry);
        this.#append(entry);
    }

    /** The live value for `key`, or undefined if it never existed, expired or was evicted. */
    get(key: string): V | undefined {
        const entry = this.#entries.get(key);
        if (!entry) return undefined;
        if (entry.expiresAt <= this.#now()) {
            this.delete(key);
            return undefined;
        }
        return entry.value;
    }

    /** Removes and returns the live value for `key`: the way to make something single use. */
    take(key: string): V | undefined {
        const value = this.get(key);
        this.delete(key);
        return value;
    }

    /** Marks `key` as just used: it moves to the back of the eviction order and its lifetime restarts. */
    touch(key: string): void {
        if (this.get(key) === undefined) return;
        const entry = this.#entries.get(key) as Entry<V>;
        this.#unlink(entry);
        entry.expiresAt = this.#now() + this.#ttlMs;
        this.#append(entry);
    }

    delete(key: string): void {
        const entry = this.#entries.get(key);
        if (!entry) return;
        this.#entries.delete(key);
        this.#unlink(entry);
    }

    #dropExpired(): void {
        const now = this.#now();
        while (this.#oldest && this.#oldest.expiresAt <= now) this.delete(this.#oldest.key);
    }

    #append(entry: Entry<V>): void {
        entry.older = this.#newest;
        entry.newer = undefined;
        if (this.#newest) this.#newest.newer = entry;
        else this.#oldest = entry;
        this.#newest = entry;
    }

    #unlink(entry: Entry<V>): void {
        if (entry.older) entry.older.newer = entry.newer;
        else this.#oldest = entry.newer;
        if (entry.newer) entry.newer.older = entry.older;
        else this.#newest = entry.older;
        entry.older = undefined;
        entry.newer = undefined;
    }
}
