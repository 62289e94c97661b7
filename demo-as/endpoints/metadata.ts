/**
 * GET /.well-known/oauth-authorization-server — RFC 8414 metadata: how a
 * client finds every other endpoint and what this AS supports. The issuer is
 * the AS's origin exactly, and it is the value RFC 9207 `iss` carries on
 * every authorization response.
 */
import type { RequestHandler } from 'express';
import type { AsContext } from '../context.ts';
import { SCOPES } from '../policy.ts';
import { SUPPORTED_AUTH_METHODS, SUPPORTED_GRANT_TYPES, SUPPORTED_RESPONSE_TYPES } from '../rules/client-metadata.ts';
import { CODE_CHALLENGE_METHOD } from '../rules/pkce.ts';
import { DPOP_ALGORITHMS } from '../token-dpop.ts';

export function metadataEndpoint({ issuer }: AsContext): RequestHandler {
    const metadata = {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        registration_endpoint: `${issuer}/register`,
        jwks_uri: `${issuer}/jwks`,
        // RFC 8414 §2 / RFC 7009: where a client revokes its refresh tokens, authenticating as at /token.
        revocation_endpoint: `${issuer}/revoke`,
        revocation_endpoint_auth_methods_supported: SUPPORTED_AUTH_METHODS,
        scopes_supported: SCOPES.map((scope) => scope.name),
        response_types_supported: SUPPORTED_RESPONSE_TYPES,
        response_modes_supported: ['query'],
        grant_types_supported: SUPPORTED_GRANT_TYPES,
        code_challenge_methods_supported: [CODE_CHALLENGE_METHOD],
        token_endpoint_auth_methods_supported: SUPPORTED_AUTH_METHODS,
        // RFC 9207 §3: advertised because every authorization response carries iss.
        authorization_response_iss_parameter_supported: true,
        // RFC 9449 §5.1: the proof algorithms /token accepts, asymmetric only.
        dpop_signing_alg_values_supported: DPOP_ALGORITHMS
    };
    return (_req, res) => {
        res.json(metadata);
    };
}
