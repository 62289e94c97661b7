/**
 * The authentication gate in front of `/mcp`.
 *
 * Token checking is the SDK's `verifyBearerToken` (header parsing, our jose
 * verifier, audience and expiry checks) — the core that the SDK's Express
 * `requireBearerAuth` wraps. We answer failures ourselves because that wrapper
 * puts `error="invalid_token"` even on a request that sent no token at all
 * (RFC 6750 §3.1 says not to) and names a scope only when it also enforces it
 * on every request; this RS's challenge always names the first scope to ask for.
 * `verifyBearerToken` also stamps `resourceMetadataUrl` on the verified token's
 * `AuthInfo`, which is where the SDK's per-tool 403 challenges take it from.
 */
import { OAuthError, OAuthErrorCode, verifyBearerToken, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import type { RequestHandler, Response } from 'express';
import { AuthorizationServerUnavailableError } from './authorization-server.ts';
import { authorizationHeaders, MALFORMED_DESCRIPTIONS, parseAuthorization } from './authorization-header.ts';
import { authenticationChallenge, malformedRequestChallenge } from './challenges.ts';

export interface BearerAuthOptions {
    verifier: OAuthTokenVerifier;
    /** This RS's resource URL; a token for any other audience is refused (RFC 8707). */
    resource: URL;
    /** The RFC 9728 metadata URL advertised in every challenge. */
    resourceMetadataUrl: string;
}

/** The schemes this RS accepts a token under (authorization-header.ts); any other counts as no token (RFC 6750 §3.1). */
const ACCEPTED_SCHEMES = ['Bearer'];

function refuse(res: Response, resourceMetadataUrl: string, error?: OAuthError): void {
    res.status(401).set('WWW-Authenticate', authenticationChallenge(resourceMetadataUrl, error !== undefined));
    res.json(error ? error.toResponseObject() : { error: 'unauthorized', error_description: 'This endpoint requires a Bearer access token.' });
}

/** RFC 6750 §3.1: a malformed request is 400 `invalid_request`, still with the challenge that says how to authenticate. */
function refuseMalformed(res: Response, resourceMetadataUrl: string, description: string): void {
    res.status(400).set('WWW-Authenticate', malformedRequestChallenge(resourceMetadataUrl));
    res.json({ error: 'invalid_request', error_description: description });
}

export function requireAccessToken(options: BearerAuthOptions): RequestHandler {
    const { verifier, resource, resourceMetadataUrl } = options;
    return async (req, res, next) => {
        const credential = parseAuthorization(authorizationHeaders(req), ACCEPTED_SCHEMES);
        if (credential.kind === 'malformed') return refuseMalformed(res, resourceMetadataUrl, MALFORMED_DESCRIPTIONS[credential.problem]);
        if (credential.kind === 'none') return refuse(res, resourceMetadataUrl);
        try {
            // Re-spelled with one space: the SDK splits on a single space, and the parser has already checked the grammar.
            req.auth = await verifyBearerToken(`Bearer ${credential.token}`, { verifier, expectedResource: resource, resourceMetadataUrl });
        } catch (error) {
            if (error instanceof AuthorizationServerUnavailableError) {
                res.status(503).set('Retry-After', '5').json({ error: 'temporarily_unavailable', error_description: error.message });
                return;
            }
            if (error instanceof OAuthError && error.code === OAuthErrorCode.InvalidToken) return refuse(res, resourceMetadataUrl, error);
            throw error;
        }
        next();
    };
}
