/**
 * What a tool's 403 `insufficient_scope` challenge names (`--challenge-scope`).
 *
 * The challenge itself is the SDK's: `requireScopes` decides whether the
 * token lacks the tool's scope, and the SDK writes the 403 (RFC 6750 §3.1).
 * A `ScopeChallengeHandler` is a function of the request and the verified
 * token, so the scopes it names can depend on what the token holds:
 *
 * - `required` (the default): exactly the scope the tool needs. A client that
 *   steps up with the union of what it holds and what is named (as the MCP
 *   authorization spec's step-up describes) keeps every scope it had.
 * - `held-and-required`: every scope the token holds that this RS defines,
 *   plus the one the tool needs — the 2025-11-25 spec's advice for clients
 *   that replace their scope with the challenged one instead of taking the
 *   union, which would otherwise lose `files:read` by gaining `files:write`.
 *   Only scopes in SCOPES_SUPPORTED are named, in that order, so the header
 *   is deterministic and never carries another resource's scope names.
 */
import { requireScopes, type ScopeChallengeHandler } from '@modelcontextprotocol/server';
import { SCOPES_SUPPORTED } from './scopes.ts';

export const CHALLENGE_SCOPES = ['required', 'held-and-required'] as const;

export type ChallengeScope = (typeof CHALLENGE_SCOPES)[number];

/** The scope challenge for a tool that needs `required`, naming what `mode` says. */
export function scopeChallengeFor(required: string, mode: ChallengeScope): ScopeChallengeHandler {
    const requireIt = requireScopes(required); // RFC 6750 §3.1 insufficient_scope → HTTP 403 naming the challenge's scopes
    if (mode === 'required') return requireIt;
    return async (context) => {
        const challenge = await requireIt(context);
        if (challenge === undefined) return undefined;
        return { ...challenge, scopes: heldAndRequired(context.authInfo?.scopes ?? [], required) };
    };
}

/** `required` and the held scopes this RS defines, in SCOPES_SUPPORTED order. */
export function heldAndRequired(held: readonly string[], required: string): [string, ...string[]] {
    const heldHere = SCOPES_SUPPORTED.filter((scope) => scope !== required && held.includes(scope));
    const scopes: [string, ...string[]] = [required, ...heldHere];
    return scopes.sort((a, b) => supportedOrder(a) - supportedOrder(b));
}

function supportedOrder(scope: string): number {
    const index = SCOPES_SUPPORTED.indexOf(scope);
    return index === -1 ? SCOPES_SUPPORTED.length : index;
}
