/**
 * Registered clients (RFC 7591). Registration is open to anyone who can reach
 * the AS, so the registry is a bounded least-recently-used cache: at most
 * CAPS.clients entries; when full, the registration used least recently is
 * forgotten, and one unused for LIFETIMES.clientIdleMs expires. A flood of
 * registrations therefore evicts the flooder's own oldest entries and costs
 * no memory beyond the cap. A forgotten client_id is simply unknown again
 * (error page at /authorize, invalid_client at /token); its client registers
 * anew, as MCP clients do when they meet an unknown-client error.
 */
import { randomUUID } from 'node:crypto';
import { CAPS, LIFETIMES } from '../policy.ts';
import { BoundedStore, type Clock } from './bounded-store.ts';

export interface RegisteredClient {
    clientId: string;
    /** Self-asserted by the client and unverified; displayed escaped. */
    clientName: string | undefined;
    /** Exactly as registered; /authorize compares against these strings byte for byte. */
    redirectUris: readonly string[];
    /** Seconds since the epoch (RFC 7591 §3.2.1 client_id_issued_at). */
    issuedAt: number;
}

export class ClientRegistry {
    readonly #store: BoundedStore<RegisteredClient>;
    readonly #now: Clock;

    constructor(now: Clock = Date.now) {
        this.#now = now;
        this.#store = new BoundedStore({ maxEntries: CAPS.clients, ttlMs: LIFETIMES.clientIdleMs, now });
    }

    register(metadata: { clientName: string | undefined; redirectUris: readonly string[] }): RegisteredClient {
        const client: RegisteredClient = {
            clientId: randomUUID(),
            clientName: metadata.clientName,
            redirectUris: metadata.redirectUris,
            issuedAt: Math.floor(this.#now() / 1000)
        };
        this.#store.put(client.clientId, client);
        return client;
    }

    find(clientId: string): RegisteredClient | undefined {
        return this.#store.get(clientId);
    }

    /** Called when a client starts an authorization or obtains tokens; keeps it from eviction. */
    markUsed(clientId: string): void {
        this.#store.touch(clientId);
    }
}
