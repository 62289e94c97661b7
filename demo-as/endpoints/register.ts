/**
 * POST /register — RFC 7591 dynamic client registration, for public clients
 * with loopback redirect URIs (see rules/redirect-uri.ts for every decision).
 * A success is 201 with the registered metadata — `token_endpoint_auth_method`
 * is always "none", also for a client that asked for a secret method
 * (rules/client-metadata.ts; the log line records the replacement); a refusal
 * is 400 with invalid_redirect_uri or invalid_client_metadata. The registry is bounded
 * (stores/clients.ts), so open registration cannot exhaust memory.
 */
import type { RequestHandler } from 'express';
import type { AsContext } from '../context.ts';
import { logFacts } from '../http/request-log.ts';
import { sendJson, sendOAuthError } from '../http/responses.ts';
import { checkClientMetadata, SUPPORTED_GRANT_TYPES, SUPPORTED_RESPONSE_TYPES } from '../rules/client-metadata.ts';

export function registerEndpoint({ clients }: AsContext): RequestHandler {
    return (req, res) => {
        // RFC 7591 §3.1: the request is a JSON document.
        if (!req.is('application/json')) return sendOAuthError(res, 400, 'invalid_client_metadata', 'the body must be application/json');
        const check = checkClientMetadata(req.body);
        if (!check.ok) return sendOAuthError(res, 400, check.error, check.description);
        const client = clients.register({ clientName: check.clientName, redirectUris: check.redirectUris });
        logFacts(res).clientId = client.clientId;
        logFacts(res).replacedAuthMethod = check.replacedAuthMethod;
        sendJson(res, 201, {
            client_id: client.clientId,
            client_id_issued_at: client.issuedAt,
            ...(client.clientName === undefined ? {} : { client_name: client.clientName }),
            redirect_uris: client.redirectUris,
            grant_types: SUPPORTED_GRANT_TYPES,
            response_types: SUPPORTED_RESPONSE_TYPES,
            // RFC 7591 §3.2.1: the values registered, the replaced auth method included; never a client_secret.
            token_endpoint_auth_method: 'none'
        });
    };
}
