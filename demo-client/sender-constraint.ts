/**
 * What the story shows about DPoP (RFC 9449): which key the access token is
 * bound to, and what the same token is worth to someone who copied it.
 *
 * The client reads its own access token's `cnf.jkt` only to show it (a
 * client otherwise treats access tokens as opaque), and replays the token the
 * way a thief would — as Bearer, and with a proof signed by another key —
 * with plain HTTP requests outside the SDK. With a Bearer token (--no-dpop)
 * the same replay shows the difference: the copied token just works.
 */
import { DpopSession } from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose/jwt/decode';

/** The `cnf.jkt` of a JWT access token, if it has one. */
export function boundKeyOf(accessToken: string | undefined): string | undefined {
    if (!accessToken) return undefined;
    try {
        const cnf = decodeJwt(accessToken).cnf as { jkt?: unknown } | undefined;
        return typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
    } catch {
        return undefined;
    }
}

export interface Replay {
    status: number;
    /** The `error` of the challenge, if any. */
    error?: string;
}

/** A tools/list in the 2025-11-25 era, the smallest request the RS authenticates. */
async function replay(server: URL, authorization: string, dpop?: string): Promise<Replay> {
    const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        authorization
    };
    if (dpop) headers.dpop = dpop;
    const response = await fetch(server, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    await response.body?.cancel();
    const error = /error="([a-z_]+)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
    return { status: response.status, error };
}

/** The copied access token presented as a plain Bearer token (no key at all). */
export function replayAsBearer(server: URL, accessToken: string): Promise<Replay> {
    return replay(server, `Bearer ${accessToken}`);
}

/** The copied access token presented with the DPoP scheme and a valid proof — by a key of the thief's own. */
export async function replayWithAnotherKey(server: URL, accessToken: string): Promise<Replay> {
    const thief = await DpopSession.create();
    const proof = await thief.buildProof({ htm: 'POST', htu: server, accessToken });
    return replay(server, `DPoP ${accessToken}`, proof);
}
