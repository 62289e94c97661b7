/**
 * POST /revoke — token revocation (RFC 7009), advertised as the metadata's
 * revocation_endpoint. A client says it no longer needs a refresh token, and
 * the token's whole family stops working at once: no refresh succeeds from
 * it again, and the consent page stops marking its scopes "Already allowed".
 *
 * The client authenticates as it does at /token (a public client sends its
 * client_id) and may revoke only tokens issued to it. A token the AS does
 * not know — expired, already revoked, made up, or an access token, which is
 * a stateless JWT this AS does not track — is answered 200 like a revoked
 * one (RFC 7009 §2.2), so the answer tells an outsider nothing.
 */
import type { RequestHandler } from 'express';
import type { AsContext } from '../context.ts';
import { readForm } from '../http/form-body.ts';
import { logFacts } from '../http/request-log.ts';
import { sendJson, sendOAuthError } from '../http/responses.ts';

export function revokeEndpoint(ctx: AsContext): RequestHandler {
    return (req, res) => {
        const facts = logFacts(res);
        const params = readForm(req);
        // RFC 7009 §2.1: the request is a form post.
        if (!params) return sendOAuthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
        if (params.malformed) return sendOAuthError(res, 400, 'invalid_request', 'the body is not correctly percent-encoded');
        // RFC 6749 §3.2: parameters MUST NOT be included more than once.
        if (params.hasRepeatedNames()) return sendOAuthError(res, 400, 'invalid_request', 'a request parameter appears more than once');

        const clientId = params.get('client_id');
        const client = clientId === undefined ? undefined : ctx.clients.find(clientId);
        // RFC 7009 §2.1: the client authenticates as at the token endpoint; a public client by its client_id.
        if (!client) return sendOAuthError(res, 400, 'invalid_client', 'client_id is missing or not registered');
        facts.clientId = client.clientId;

        const token = params.get('token');
        // RFC 7009 §2.1: token is required; token_type_hint is only a hint and is not needed here.
        if (token === undefined) return sendOAuthError(res, 400, 'invalid_request', 'token is required');

        const lookup = ctx.refreshTokens.lookup(token);
        if (lookup.outcome !== 'unknown') {
            // RFC 7009 §2.1: the AS verifies the token was issued to the client making the request.
            if (lookup.family.clientId !== client.clientId) return sendOAuthError(res, 400, 'invalid_grant', 'the token was issued to another client');
            // RFC 7009 §2.1: revoking a refresh token revokes its grant — here, the whole family.
            ctx.refreshTokens.revoke(lookup.family);
            facts.revoked = true;
        }
        // RFC 7009 §2.2: 200 whether or not the token was known.
        sendJson(res, 200, {});
    };
}
