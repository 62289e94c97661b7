/**
 * GET /authorize — the authorization endpoint (RFC 6749 §4.1.1).
 *
 * The checks live in rules/authorization-request.ts; this file turns their
 * verdict into a response: an error page (unknown client or redirect URI: the
 * AS never redirects there; an unknown client that asks for JSON gets a 400
 * invalid_client object instead), an error redirect carrying `error`, `state` and
 * `iss` (RFC 9207 §2), or the consent page with its CSRF cookie. What the
 * client already holds for the resource comes from the AS's refresh-token
 * families, never from anything in the request beyond who and what for.
 */
import type { RequestHandler } from 'express';
import type { AsContext } from '../context.ts';
import { setConsentCookie } from '../http/consent-cookie.ts';
import { Params } from '../http/params.ts';
import { prefersJson } from '../http/negotiation.ts';
import { logFacts } from '../http/request-log.ts';
import { redirectToClient, sendOAuthError, sendPage } from '../http/responses.ts';
import { checkAuthorizationRequest } from '../rules/authorization-request.ts';
import { formatScope } from '../rules/scope.ts';
import { renderConsentPage } from '../views/consent-page.ts';
import { renderErrorPage } from '../views/error-page.ts';

export function authorizeEndpoint(ctx: AsContext): RequestHandler {
    const issuerHost = new URL(ctx.issuer).host;
    return (req, res) => {
        const check = checkAuthorizationRequest(Params.fromRequestUrl(req.originalUrl), ctx.clients, ctx.settings);
        const facts = logFacts(res);
        if (check.verdict === 'error-page') {
            facts.clientId = check.client?.clientId;
            facts.error = check.error;
            // RFC 6749 §4.1.2.1: never a redirect; a client asking for JSON learns it was forgotten and can register again.
            if (check.error === 'invalid_client' && prefersJson(req, res)) {
                return sendOAuthError(res, 400, 'invalid_client', 'client_id is missing or not registered');
            }
            return sendPage(res, 400, renderErrorPage(issuerHost, check.error));
        }
        if (check.verdict === 'error-redirect') {
            facts.clientId = check.client.clientId;
            facts.error = check.error;
            // RFC 6749 §4.1.2.1 + RFC 9207 §2: error, state and iss go back to the verified redirect URI.
            return redirectToClient(res, check.redirectUri, {
                error: check.error,
                error_description: check.description,
                state: check.state,
                iss: ctx.issuer
            });
        }
        const { request } = check;
        facts.clientId = request.client.clientId;
        // What the client asked for (known scope names only, so never attacker text): step-up is debugged by it.
        facts.scope = formatScope(request.requestedScopes);
        ctx.clients.markUsed(request.client.clientId);
        const { requestId, cookieValue } = ctx.consents.open(request);
        setConsentCookie(res, cookieValue, ctx.settings.consentTtlSeconds);
        const held = ctx.refreshTokens.heldScopes({ clientId: request.client.clientId, resource: request.resource, subject: request.subject });
        const page = renderConsentPage({
            issuerHost,
            clientName: request.client.clientName,
            clientId: request.client.clientId,
            redirectUri: request.redirectUri,
            resource: request.resource,
            requestedScopes: request.requestedScopes,
            grantedScopes: request.grantedScopes,
            alreadyAllowedScopes: request.grantedScopes.filter((scope) => held.has(scope)),
            requestId,
            expiresInSeconds: ctx.settings.consentTtlSeconds
        });
        sendPage(res, 200, page, [formRedirectTarget(request.redirectUri)]);
    };
}

/**
 * CSP form-action also governs where the form's response may redirect, so the
 * client's origin must be allowed. CSP host-sources cannot spell an IPv6
 * literal, so for [::1] the scheme is the narrowest source there is.
 */
function formRedirectTarget(redirectUri: string): string {
    const url = new URL(redirectUri);
    return url.hostname === '[::1]' ? url.protocol : url.origin;
}
