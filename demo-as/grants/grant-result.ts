/**
 * What a grant handler returns to the token endpoint: tokens, or one of the
 * RFC 6749 §5.2 errors (plus RFC 8707's invalid_target) with the AS's own
 * description. And the one place that turns an approved grant into tokens.
 */
import type { AsContext } from '../context.ts';
import { formatScope } from '../rules/scope.ts';
import type { RefreshFamily } from '../stores/refresh-tokens.ts';

export type TokenError = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_target' | 'invalid_dpop_proof';

export interface TokenResponse {
    access_token: string;
    /** RFC 9449 §5: DPoP when the access token is bound to the proof's key. */
    token_type: 'Bearer' | 'DPoP';
    expires_in: number;
    scope: string;
    refresh_token: string;
}

export type GrantResult = { ok: true; tokens: TokenResponse } | { ok: false; error: TokenError; description: string };

export function refuse(error: TokenError, description: string): GrantResult {
    return { ok: false, error, description };
}

/** RFC 6749 §5.1: an access token for `scopes` (a JWT, RFC 9068; with `dpopJkt`, bound to that key, RFC 9449 §6) plus the family's current refresh token. */
export async function issueTokens(ctx: AsContext, family: RefreshFamily, refreshToken: string, scopes: readonly string[], dpopJkt?: string): Promise<GrantResult> {
    const scope = formatScope(scopes);
    const lifetimeSeconds = ctx.settings.accessTokenTtlSeconds;
    const accessToken = await ctx.signingKey.signAccessToken({
        issuer: ctx.issuer,
        subject: family.subject,
        audience: family.resource,
        clientId: family.clientId,
        scope,
        lifetimeSeconds,
        dpopJkt
    });
    return {
        ok: true,
        tokens: { access_token: accessToken, token_type: dpopJkt ? 'DPoP' : 'Bearer', expires_in: lifetimeSeconds, scope, refresh_token: refreshToken }
    };
}
