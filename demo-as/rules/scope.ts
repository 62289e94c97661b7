/**
 * Scope strings and the grant policy (RFC 6749 §3.3). A scope is a list of
 * space-separated tokens; the AS knows the names in policy.ts, grants the
 * grantable ones, and says so in the token's `scope`.
 */
import { SCOPES } from '../policy.ts';

const KNOWN = new Map(SCOPES.map((scope) => [scope.name, scope]));

/** RFC 6749 §3.3: scope = scope-token *( SP scope-token ); undefined if `value` is not that. */
export function parseScope(value: string): string[] | undefined {
    const tokens = value.split(' ');
    if (!tokens.every((token) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(token))) return undefined;
    return [...new Set(tokens)];
}

/** Whether every scope is one this AS defines (granted or not). */
export function areKnownScopes(scopes: readonly string[]): boolean {
    return scopes.every((scope) => KNOWN.has(scope));
}

/** The part of `requested` this AS grants; files:admin is never in it. */
export function grantableScopes(requested: readonly string[]): string[] {
    return requested.filter((scope) => KNOWN.get(scope)?.grantable === true);
}

/** RFC 6749 §6: a refresh may ask for less than was granted, never for more. */
export function isWithin(requested: readonly string[], granted: readonly string[]): boolean {
    return requested.every((scope) => granted.includes(scope));
}

/** The one-line meaning shown on the consent page. */
export function scopeMeaning(scope: string): string {
    return KNOWN.get(scope)?.meaning ?? '';
}

export function formatScope(scopes: readonly string[]): string {
    return scopes.join(' ');
}
