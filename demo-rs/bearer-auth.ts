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
import { DPOP_ALGS, dpopTokenOf, scopeChallengesUnderDpop, type DpopBinding, type DpopRefusal } from './dpop-binding.ts';

export interface BearerAuthOptions {
    verifier: OAuthTokenVerifier;
    /** This RS's resource URL; a token for any other audience is refused (RFC 8707). */
    resource: URL;
    /** The RFC 9728 metadata URL advertised in every challenge. */
    resourceMetadataUrl: string;
    /** DPoP-bound tokens and their proofs (RFC 9449 §7). */
    dpop: DpopBinding;
}

/** Whether the request offers a Bearer credential at all; another scheme counts as none (RFC 6750 §3.1). */
function offersBearerToken(authorization: string | undefined): authorization is string {
    return authorization?.split(' ', 1)[0]?.toLowerCase() === 'bearer';
}

function refuse(res: Response, options: BearerAuthOptions, error?: OAuthError | DpopRefusal, dpopScheme = false): void {
    const dpopError = error && (dpopScheme || options.dpop.required) ? ('code' in error ? error.code : error.error) : undefined;
    const dpop = { algs: DPOP_ALGS, required: options.dpop.required, error: dpopError };
    res.status(401).set('WWW-Authenticate', authenticationChallenge(options.resourceMetadataUrl, error !== undefined, dpop));
    if (!error) return void res.json({ error: 'unauthorized', error_description: 'This endpoint requires an access token (DPoP or Bearer).' });
    res.json('code' in error ? error.toResponseObject() : { error: error.error, error_description: error.description });
}

export function requireAccessToken(options: BearerAuthOptions): RequestHandler {
    const { verifier, resource, resourceMetadataUrl, dpop } = options;
    return async (req, res, next) => {
        const authorization = req.headers.authorization;
        const dpopToken = dpopTokenOf(authorization);
        if (dpopToken === undefined && !offersBearerToken(authorization)) return refuse(res, options);
        // RFC 9449 §7.1: with --require-dpop a Bearer token is refused whatever it is.
        if (dpopToken === undefined && dpop.required) return refuse(res, options, { error: 'invalid_token', description: 'This resource accepts DPoP-bound tokens only (DPoP scheme with a proof).' });
        try {
            req.auth = await verifyBearerToken(dpopToken === undefined ? authorization : `Bearer ${dpopToken}`, { verifier, expectedResource: resource, resourceMetadataUrl });
        } catch (error) {
            if (error instanceof AuthorizationServerUnavailableError) {
                res.status(503).set('Retry-After', '5').json({ error: 'temporarily_unavailable', error_description: error.message });
                return;
            }
            if (error instanceof OAuthError && error.code === OAuthErrorCode.InvalidToken) return refuse(res, options, error, dpopToken !== undefined);
            throw error;
        }
        const unbound = await dpop.check(req, dpopToken !== undefined, req.auth);
        if (unbound) return refuse(res, options, unbound, dpopToken !== undefined);
        if (dpopToken !== undefined) scopeChallengesUnderDpop(res);
        next();
    };
}
