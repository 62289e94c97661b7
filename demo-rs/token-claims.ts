/**
 * What an access token's claims mean to this RS, whichever way they arrived:
 * from a JWT verified locally (token-verifier.ts) or from an RFC 7662
 * introspection answer (introspection.ts). One reading for both, so an opaque
 * token and a JWT grant exactly the same things.
 *
 * Refusals are fixed sentences: nothing from the token is echoed back.
 */
import { OAuthError, OAuthErrorCode, type AuthInfo } from '@modelcontextprotocol/server';
import { JKT_EXTRA } from './dpop-binding.ts';

/** RFC 9068 §2.1: an access token's JOSE header says `typ: at+jwt`; always accepted. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/**
 * What `--accept-typ` may add: `JWT` (Keycloak, Entra ID, Auth0 by default) or `none`, a header without
 * `typ` (Okta). Accepting them gives up RFC 9068 §4 / RFC 8725 §3.11's defence against cross-JWT
 * confusion (an ID token, signed by the same keys, taken as an access token); `iss` and `aud` still hold.
 */
export const EXTRA_TYPS = ['JWT', 'none'] as const;
export type ExtraTyp = (typeof EXTRA_TYPS)[number];

export function invalidToken(message: string): OAuthError {
    return new OAuthError(OAuthErrorCode.InvalidToken, message);
}

/** RFC 8725 §3.11: `typ` compared as jose does (case-insensitive, an `application/` prefix dropped); `none` stands for no `typ`. */
export function typAccepted(typ: unknown, extra: readonly ExtraTyp[]): boolean {
    if (typ === undefined) return extra.includes('none');
    if (typeof typ !== 'string') return false;
    const normalized = typ.toLowerCase().replace(/^application\//, '');
    return normalized === ACCESS_TOKEN_TYP || (normalized === 'jwt' && extra.includes('JWT'));
}

/** RFC 7519 §4.1.3: `aud` is one string or an array of them; any one accepted value is enough. */
export function audienceAccepted(aud: unknown, accepted: readonly string[]): boolean {
    const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    return values.some((value) => typeof value === 'string' && accepted.includes(value));
}

/**
 * The granted scopes: RFC 9068 §2.2.3 / RFC 7662 §2.2 `scope` (a space-separated string); where it is
 * absent, `scp` as Entra ID (a string) and Okta and Ory Hydra (an array) write it. `scope` wins when both
 * are present, so a provider's second claim cannot widen what the standard one says.
 */
export function scopesFrom(claims: Record<string, unknown>): string[] {
    const { scope, scp } = claims;
    if (scope !== undefined) {
        if (typeof scope !== 'string') throw invalidToken('The access token scope is not a string.');
        return scope.split(' ').filter(Boolean);
    }
    if (scp === undefined) return [];
    if (typeof scp === 'string') return scp.split(' ').filter(Boolean);
    if (Array.isArray(scp) && scp.every((item) => typeof item === 'string')) return scp.filter(Boolean);
    throw invalidToken('The access token scp claim is neither a string nor a list of strings.');
}

/** RFC 9449 §6.1 (JWT) / §6.2 (introspection): a DPoP-bound token carries `cnf.jkt`; a `cnf` without a usable one is not accepted. */
function confirmedKey(claims: Record<string, unknown>): string | undefined {
    if (claims.cnf === undefined) return undefined;
    const jkt = (claims.cnf as { jkt?: unknown } | null)?.jkt;
    if (typeof jkt !== 'string' || jkt === '') throw invalidToken('The access token cnf claim has no key thumbprint.');
    return jkt;
}

/** The SDK's AuthInfo for claims that passed their source's checks; `client_id` is required (RFC 9068 §2.2). */
export function authInfoFromClaims(token: string, claims: Record<string, unknown>, resource: URL): AuthInfo {
    const { client_id: clientId } = claims;
    if (typeof clientId !== 'string' || clientId === '') throw invalidToken('The access token has no client_id.');
    const jkt = confirmedKey(claims);
    return {
        token,
        clientId,
        scopes: scopesFrom(claims),
        expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
        resource,
        ...(jkt !== undefined && { extra: { [JKT_EXTRA]: jkt } })
    };
}
