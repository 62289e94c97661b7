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
import { authenticationChallenge } from './challenges.ts';

export interface BearerAuthOptions {
    verifier: OAuthTokenVerifier;
    /** This RS's resource URL; a token for any other audience is refused (RFC 8707). */
    resource: URL;
    /** The RFC 9728 metadata URL advertised in every challenge. */
    resourceMetadataUrl: string;
}

/** Whether the request offers a Bearer credential at all; another scheme counts as none (RFC 6750 §3.1). */
function offersBearerToken(authorization: string | undefined): authorization is string {
    return authorization?.split(' ', 1)[0]?.toLowerCase() === 'bearer';
}

function refuse(res: Response, resourceMetadataUrl: string, error?: OAuthError): void {
    res.status(401).set('WWW-Authenticate', authenticationChallenge(resourceMetadataUrl, error !== undefined));
    res.json(error ? error.toResponseObject() : { error: 'unauthorized', error_description: 'This endpoint requires a Bearer access token.' });
}

export function requireAccessToken(options: BearerAuthOptions): RequestHandler {
    const { verifier, resource, resourceMetadataUrl } = options;
    return async (req, res, next) => {
        const authorization = req.headers.authorization;
        if (!offersBearerToken(authorization)) return refuse(res, resourceMetadataUrl);
        try {
            req.auth = await verifyBearerToken(authorization, { verifier, expectedResource: resource, resourceMetadataUrl });
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
