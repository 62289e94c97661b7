/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6,
 * RFC 8707 §2.2). The code must be fresh, unused, and presented by the client
 * it was issued to, with the same redirect_uri, the PKCE verifier for its
 * challenge and, if named, the same resource. Every attempt uses the code up.
 */
import type { AsContext } from '../context.ts';
import type { Params } from '../http/params.ts';
import { verifierMatchesChallenge } from '../rules/pkce.ts';
import type { CodeBinding } from '../stores/authorization-codes.ts';
import type { RegisteredClient } from '../stores/clients.ts';
import { issueTokens, refuse, type GrantResult } from './grant-result.ts';

export async function authorizationCodeGrant(params: Params, client: RegisteredClient, ctx: AsContext, dpopJkt: string | undefined): Promise<GrantResult> {
    const code = params.get('code');
    const verifier = params.get('code_verifier');
    // RFC 6749 §4.1.3: code is required.
    if (code === undefined) return refuse('invalid_request', 'code is required');
    // RFC 7636 §4.5: the client sends code_verifier with the code.
    if (verifier === undefined) return refuse('invalid_request', 'code_verifier is required (PKCE)');

    const redemption = ctx.codes.redeem(code);
    if (redemption.outcome === 'unknown') return refuse('invalid_grant', 'the code is unknown or expired');
    if (redemption.outcome === 'replayed') {
        // RFC 6749 §4.1.2 / §10.5: a code used twice was stolen or leaked; revoke what it issued.
        if (redemption.record.family) ctx.refreshTokens.revoke(redemption.record.family);
        return refuse('invalid_grant', 'the code was already used; tokens issued with it are revoked');
    }
    // RFC 6749 §4.1.2: codes are short-lived (--code-ttl, at most 60 s).
    if (redemption.outcome === 'expired') return refuse('invalid_grant', 'the code has expired');

    const { binding } = redemption.record;
    // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
    if (binding.clientId !== client.clientId) return refuse('invalid_grant', 'the code was issued to another client');
    // RFC 6749 §4.1.3: redirect_uri must be identical to the one in the authorization request (its port too, under --loopback-any-port).
    if (!redirectUriMatches(params.get('redirect_uri'), binding)) return refuse('invalid_grant', 'redirect_uri does not match the authorization request');
    // RFC 7636 §4.6: the verifier must hash to the challenge.
    if (!verifierMatchesChallenge(verifier, binding.codeChallenge)) return refuse('invalid_grant', 'code_verifier does not match code_challenge');
    // RFC 8707 §2.2: a resource named here must be the one authorized.
    const resource = params.get('resource');
    if (resource !== undefined && resource !== binding.resource) return refuse('invalid_target', 'resource does not match the authorization request');

    const { family, token } = ctx.refreshTokens.startFamily({
        clientId: binding.clientId,
        grantedScopes: binding.grantedScopes,
        resource: binding.resource,
        subject: binding.subject,
        dpopJkt
    });
    redemption.record.family = family;
    return issueTokens(ctx, family, token, binding.grantedScopes, dpopJkt);
}

/** RFC 6749 §4.1.3: required and identical if the authorization request had it; if sent anyway, identical. */
function redirectUriMatches(sent: string | undefined, binding: CodeBinding): boolean {
    if (sent === undefined) return !binding.redirectUriSent;
    return sent === binding.redirectUri;
}
