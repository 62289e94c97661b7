/**
 * POST /token — the token endpoint (RFC 6749 §3.2, §5). Accepts only a form
 * body, refuses repeated parameters, identifies the public client by its
 * client_id (RFC 6749 §3.2.1; token_endpoint_auth_method "none") and hands
 * the request to its grant. Every answer is JSON with Cache-Control: no-store
 * and Pragma: no-cache (RFC 6749 §5.1); every error is 400 with an RFC 6749
 * §5.2 (or RFC 9449 §5) code, except a full DPoP replay memory: 503.
 */
import type { RequestHandler, Response } from 'express';
import type { DpopRefusal } from '../../support/dpop-proof.ts';
import type { AsContext } from '../context.ts';
import { readForm } from '../http/form-body.ts';
import type { Params } from '../http/params.ts';
import { logFacts } from '../http/request-log.ts';
import { sendJson, sendOAuthError } from '../http/responses.ts';
import { authorizationCodeGrant } from '../grants/authorization-code.ts';
import type { GrantResult } from '../grants/grant-result.ts';
import { refreshTokenGrant } from '../grants/refresh-token.ts';
import { isServedResource } from '../rules/resource.ts';
import type { RegisteredClient } from '../stores/clients.ts';

type Grant = (params: Params, client: RegisteredClient, ctx: AsContext, dpopJkt: string | undefined) => Promise<GrantResult>;

const GRANTS: Record<string, Grant> = {
    authorization_code: authorizationCodeGrant,
    refresh_token: refreshTokenGrant
};

/**
 * RFC 9449 §5: a refused proof is a 400 with its error code. RFC 9449 §11.1: a valid proof the full replay
 * memory cannot remember is not accepted either; it is refused as a passing condition (503 with Retry-After,
 * RFC 9110 §10.2.3) rather than forgetting another proof still inside its window. The DPoP-Nonce header, when
 * nonces are on, is already set: a nonce makes no room in the memory, so use_dpop_nonce would only invite a
 * retry that meets the same full memory.
 */
function refuseProof(res: Response, refusal: DpopRefusal): void {
    if (!('retryAfterSeconds' in refusal)) return sendOAuthError(res, 400, refusal.error, refusal.reason);
    res.set('Retry-After', String(refusal.retryAfterSeconds));
    sendOAuthError(res, 503, 'temporarily_unavailable', refusal.reason);
}

export function tokenEndpoint(ctx: AsContext): RequestHandler {
    return async (req, res) => {
        const facts = logFacts(res);
        const params = readForm(req);
        // RFC 6749 §3.2: parameters are sent as application/x-www-form-urlencoded.
        if (!params) return sendOAuthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
        if (params.malformed) return sendOAuthError(res, 400, 'invalid_request', 'the body is not correctly percent-encoded');
        // RFC 6749 §3.2: parameters MUST NOT be included more than once.
        if (params.hasRepeatedNames()) return sendOAuthError(res, 400, 'invalid_request', 'a request parameter appears more than once');

        const grantType = params.get('grant_type');
        if (grantType === undefined) return sendOAuthError(res, 400, 'invalid_request', 'grant_type is required');
        const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
        if (!grant) return sendOAuthError(res, 400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
        facts.grantType = grantType;

        const clientId = params.get('client_id');
        const client = clientId === undefined ? undefined : ctx.clients.find(clientId);
        // RFC 6749 §3.2.1 / §5.2: a public client identifies itself with client_id.
        if (!client) return sendOAuthError(res, 400, 'invalid_client', 'client_id is missing or not registered');
        facts.clientId = client.clientId;
        const resource = params.get('resource');
        // RFC 8707 §2: no token for a resource this AS does not serve (--resource).
        if (resource !== undefined && !isServedResource(resource, ctx.settings.servedResources)) return sendOAuthError(res, 400, 'invalid_target', 'this authorization server issues no tokens for that resource');

        // RFC 9449 §5: a DPoP proof, if sent (or required), is checked before the grant; its key binds the tokens.
        ctx.dpop.offerNonce(res);
        const dpop = await ctx.dpop.check(req);
        if (!dpop.ok) return refuseProof(res, dpop);

        const result = await grant(params, client, ctx, dpop.jkt);
        if (!result.ok) return sendOAuthError(res, 400, result.error, result.description);
        ctx.clients.markUsed(client.clientId);
        facts.scope = result.tokens.scope;
        sendJson(res, 200, result.tokens);
    };
}
