/**
 * POST /authorize/decision — the consent form's target. The person approved
 * or denied one pending request; this is where it becomes a code or an
 * access_denied, sent to the redirect URI checked at /authorize.
 *
 * A decision is honoured only if it names a pending request that has not
 * expired or been answered, and carries the cookie set with that request's
 * page (RFC 6749 §10.12). Anything else is refused with an error page and no
 * redirect: a forged or replayed decision must not produce a code, and must
 * not be able to send the browser anywhere either.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { AsContext } from '../context.ts';
import { carriesConsentCookie, clearConsentCookie } from '../http/consent-cookie.ts';
import { readForm } from '../http/form-body.ts';
import { logFacts } from '../http/request-log.ts';
import { redirectToClient, sendPage } from '../http/responses.ts';
import type { AuthorizationRequest, PageError } from '../rules/authorization-request.ts';
import { renderErrorPage } from '../views/error-page.ts';

export function decisionEndpoint(ctx: AsContext): RequestHandler {
    const issuerHost = new URL(ctx.issuer).host;
    return (req, res) => {
        const facts = logFacts(res);
        const refuse = (error: PageError) => {
            facts.error = error;
            sendPage(res, 400, renderErrorPage(issuerHost, error));
        };
        // Fetch Metadata: a browser labels a post from any other origin; only the consent page may post here.
        if (isCrossOriginBrowserPost(req)) return refuse('invalid_consent');
        const form = readForm(req);
        if (!form || form.malformed || form.isRepeated('request_id')) return refuse('invalid_request');
        const requestId = form.get('request_id');
        const pending = requestId === undefined ? undefined : ctx.consents.take(requestId);
        // Single use: the request is out of the store from here on, whatever the outcome.
        if (!pending) return refuse('invalid_consent');
        facts.clientId = pending.request.client.clientId;
        // CSRF: the decision must come from the browser that loaded this request's page.
        if (!carriesConsentCookie(req, pending.cookieDigest)) return refuse('invalid_consent');
        clearConsentCookie(res);
        const decision = form.get('decision');
        // RFC 6749 §3.1: no repeated parameters; the decision is one of the two buttons.
        if (form.hasRepeatedNames() || (decision !== 'approve' && decision !== 'deny')) return refuse('invalid_request');
        // The registration may have been evicted while the page was open.
        if (!ctx.clients.find(pending.request.client.clientId)) return refuse('invalid_client');
        facts.decision = decision;
        if (decision === 'deny') return deny(ctx, res, pending.request);
        approve(ctx, res, pending.request);
    };
}

function isCrossOriginBrowserPost(req: Request): boolean {
    const site = req.headers['sec-fetch-site'];
    return site !== undefined && site !== 'same-origin';
}

// RFC 6749 §4.1.2.1 + RFC 9207 §2: the person said no.
function deny(ctx: AsContext, res: Response, request: AuthorizationRequest): void {
    logFacts(res).error = 'access_denied';
    redirectToClient(res, request.redirectUri, {
        error: 'access_denied',
        error_description: 'the user denied the request',
        state: request.state,
        iss: ctx.issuer
    });
}

// RFC 6749 §4.1.2 + RFC 9207 §2: a code bound to everything /token will check.
function approve(ctx: AsContext, res: Response, request: AuthorizationRequest): void {
    const code = ctx.codes.issue({
        clientId: request.client.clientId,
        redirectUri: request.redirectUri,
        redirectUriSent: request.redirectUriSent,
        codeChallenge: request.codeChallenge,
        resource: request.resource,
        grantedScopes: request.grantedScopes,
        subject: request.subject
    });
    redirectToClient(res, request.redirectUri, { code, state: request.state, iss: ctx.issuer });
}
