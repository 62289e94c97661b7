/**
 * grant_type=refresh_token (RFC 6749 §6, RFC 9700 §4.14.2, RFC 8707 §2.2).
 * The refresh token must be its family's current one and belong to the
 * client; presenting one that was already rotated away revokes the family.
 * `scope` may narrow the new access token, never widen it; `resource`, if
 * named, must be the one originally authorized. The new refresh token keeps
 * the family's full scope (RFC 6749 §6).
 */
import type { AsContext } from '../context.ts';
import type { Params } from '../http/params.ts';
import { isWithin, parseScope } from '../rules/scope.ts';
import type { RegisteredClient } from '../stores/clients.ts';
import { refreshBindingRefusal } from '../token-dpop.ts';
import { issueTokens, refuse, type GrantResult } from './grant-result.ts';

export async function refreshTokenGrant(params: Params, client: RegisteredClient, ctx: AsContext, dpopJkt: string | undefined): Promise<GrantResult> {
    const presented = params.get('refresh_token');
    // RFC 6749 §6: refresh_token is required.
    if (presented === undefined) return refuse('invalid_request', 'refresh_token is required');

    const lookup = ctx.refreshTokens.lookup(presented);
    if (lookup.outcome === 'unknown') return refuse('invalid_grant', 'the refresh token is unknown or expired');
    if (lookup.outcome === 'revoked') return refuse('invalid_grant', 'the refresh token has been revoked');
    if (lookup.outcome === 'rotated-away') {
        // RFC 9700 §4.14.2: reuse of a rotated token means two holders; revoke the whole family.
        ctx.refreshTokens.revoke(lookup.family);
        return refuse('invalid_grant', 'the refresh token was already used; its family is revoked');
    }
    const { family } = lookup;
    // RFC 6749 §6 / §10.4: the refresh token is bound to the client it was issued to.
    if (family.clientId !== client.clientId) return refuse('invalid_grant', 'the refresh token was issued to another client');
    // RFC 9449 §5: a DPoP-bound refresh token needs a proof by the same key.
    const unbound = refreshBindingRefusal(family.dpopJkt, dpopJkt);
    if (unbound) return refuse('invalid_dpop_proof', unbound);

    const scopeParam = params.get('scope');
    const requested = scopeParam === undefined ? family.grantedScopes : parseScope(scopeParam);
    // RFC 6749 §6: the requested scope MUST NOT include any scope not originally granted.
    if (!requested || !isWithin(requested, family.grantedScopes)) return refuse('invalid_scope', 'a refresh can narrow the granted scope, never widen it');
    // RFC 8707 §2.2: the token stays for the resource that was authorized.
    const resource = params.get('resource');
    if (resource !== undefined && resource !== family.resource) return refuse('invalid_target', 'resource does not match the original authorization');

    return issueTokens(ctx, family, ctx.refreshTokens.rotate(family), requested, dpopJkt);
}
