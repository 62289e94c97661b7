/**
 * The DPoP replay store shared by every RS instance behind one load balancer
 * (`--replay-store redis://host:port`): a proof's `jkt:jti` is set in Redis
 * with SET NX and an expiry covering the whole time its `iat` is acceptable
 * (support/dpop-proof.ts `proofAcceptableUntil`), so a proof accepted by one
 * instance is a replay at every other (RFC 9449 §11.1).
 *
 * Fail closed. The client's offline queue is off, so a command while Redis is
 * disconnected fails at once; a connection attempt gives up after a second,
 * and so does the store on a Redis that takes a connection but does not answer
 * (stalled, or cut off mid-way: the client's own command timeout covers only
 * the wait before a command is written). Such a proof is answered
 * `unavailable` (503 with Retry-After), never accepted — a SET that Redis
 * performs after the store gave up only records a proof that was refused. The
 * outage is logged once, the recovery once; the client reconnects by itself.
 *
 * A Redis that restarted without its data has forgotten the `jti`s of the last
 * window. The store therefore keeps one more key, `MEMORY_SINCE_KEY`: the
 * second since which this Redis has remembered every accepted proof, written
 * (set-if-absent) by the first instance that finds it missing. A Redis that
 * lost its data lost that key too, so after every (re)connection the store
 * reads it again, and it vouches only for proofs that were not acceptable
 * before that second (`proofFirstAcceptable`): an older proof — one that may
 * have been accepted and then forgotten — is refused with 503, and a client's
 * fresh proof is accepted at most PROOF_MAX_SKEW_SECONDS later. Whoever starts
 * a brand-new Redis may set the key to 0 (nothing was accepted before it).
 */
import { createClient } from 'redis';
import { proofAcceptableUntil, proofFirstAcceptable, type Remembered, type ReplayStore } from '../support/dpop-proof.ts';

/** The key holding the second since which this Redis remembers every accepted proof. */
export const MEMORY_SINCE_KEY = 'dpop-replay:complete-since';
/** Where each accepted proof's `jkt:jti` is kept. */
const JTI_KEY_PREFIX = 'dpop-replay:jti:';

/** A connection attempt, and each proof's commands, give up after this long: a DPoP-bound call waits no longer for Redis. */
const REDIS_TIMEOUT_MS = 1_000;
/** Commands waiting for a stalled Redis beyond this many fail at once instead of piling up. */
const MAX_PENDING_COMMANDS = 10_000;
/** Between reconnection attempts while Redis is out of reach. */
const RECONNECT_INTERVAL_MS = 500;
/** Retry-After while Redis is out of reach: a reconnection attempt or two. */
const RETRY_AFTER_UNREACHABLE_SECONDS = 2;

const unavailable = (retryAfterSeconds: number): Remembered => ({ outcome: 'unavailable', retryAfterSeconds });

export class RedisReplayStore implements ReplayStore {
    readonly #client;
    /** The store's MEMORY_SINCE_KEY as read on the current connection; undefined until read (again). */
    #memorySince: number | undefined;
    #reachable = true;

    constructor(
        url: string,
        private readonly log: (line: string) => void
    ) {
        this.#client = createClient({
            url,
            disableOfflineQueue: true,
            commandsQueueMaxLength: MAX_PENDING_COMMANDS,
            socket: { connectTimeout: REDIS_TIMEOUT_MS, reconnectStrategy: RECONNECT_INTERVAL_MS }
        });
        // Each new connection may lead to a Redis that restarted empty: its MEMORY_SINCE_KEY is read again.
        this.#client.on('ready', () => {
            this.#memorySince = undefined;
            this.#markReachable();
        });
        this.#client.on('error', () => this.#markUnreachable());
        this.#client.connect().catch(() => this.#markUnreachable());
    }

    async remember(id: string, keptThrough: number, now: number): Promise<Remembered> {
        if (!this.#client.isReady) return this.#markUnreachable();
        try {
            return await withinDeadline(this.#record(id, keptThrough, now), REDIS_TIMEOUT_MS);
        } catch {
            return this.#markUnreachable();
        }
    }

    /** SET NX of the proof's id, once the store's memory is known to cover the proof's whole window. */
    async #record(id: string, keptThrough: number, now: number): Promise<Remembered> {
        const since = this.#memorySince ?? (await this.#readMemorySince(now));
        // RFC 9449 §11.1: a proof acceptable before the store's memory began may have been accepted and forgotten.
        // A proof signed now is first acceptable PROOF_MAX_SKEW_SECONDS before now: Retry-After says when that is late enough.
        if (proofFirstAcceptable(keptThrough) < since) return unavailable(Math.max(1, since - proofFirstAcceptable(proofAcceptableUntil(now))));
        // Kept one second past keptThrough, so the key exists through the whole of its last acceptable second.
        const set = await this.#client.set(JTI_KEY_PREFIX + id, '1', { condition: 'NX', expiration: { type: 'EX', value: keptThrough + 1 - now } });
        this.#markReachable();
        return set === 'OK' ? { outcome: 'remembered' } : { outcome: 'replayed' };
    }

    /** Sets MEMORY_SINCE_KEY to now unless present, and reads what it holds. */
    async #readMemorySince(now: number): Promise<number> {
        await this.#client.set(MEMORY_SINCE_KEY, String(now), { condition: 'NX' });
        const stored = await this.#client.get(MEMORY_SINCE_KEY);
        const since = stored === null ? Number.NaN : Number(stored);
        // Deleted in between, or not a number: the store cannot say what it remembers, so it vouches for nothing.
        if (!Number.isFinite(since)) throw new Error(`${MEMORY_SINCE_KEY} is missing or not a number`);
        this.#memorySince = since;
        return since;
    }

    /** Logged once per outage, whatever made the calls fail (no connection, a timeout, a refused command). */
    #markUnreachable(): Remembered {
        if (this.#reachable) this.log('DPoP replay store unavailable: DPoP-bound calls are refused with 503 until it is back');
        this.#reachable = false;
        return unavailable(RETRY_AFTER_UNREACHABLE_SECONDS);
    }

    #markReachable(): void {
        if (!this.#reachable) this.log('DPoP replay store back: DPoP-bound calls are served again');
        this.#reachable = true;
    }
}

/** `work`'s result, or a rejection once `ms` have passed; a late result or failure of `work` is dropped. */
function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
    work.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    });
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
