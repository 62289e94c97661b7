/**
 * Who is making a request. The client process holds two HTTP clients: the SDK
 * (the MCP client proper) and the headless user agent, which plays the user's
 * browser. Their requests go through the same fetch, so the authorizer runs the
 * agent inside `asUserAgent` and the trace asks `currentActor` which one it saw.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type Actor = 'client' | 'user-agent';

const actor = new AsyncLocalStorage<Actor>();

/** Runs `work` (and everything it starts) as the user agent. */
export function asUserAgent<T>(work: () => T): T {
    return actor.run('user-agent', work);
}

export function currentActor(): Actor {
    return actor.getStore() ?? 'client';
}
