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
import { DPOP_ALGS, scopeChallengesUnderDpop, type DpopBinding, type DpopRefusal } from './dpop-binding.ts';

export interface BearerAuthOptions {
    verifier: OAuthTokenVerifier;
    /** This RS's resource URL; a token for any other audience is refused (RFC 8707). */
    resource: URL;
    /** The RFC 9728 metadata URL advertised in every challenge. */
    resourceMetadataUrl: string;
    /** `--initial-scope`: the space-separated scopes every 401 (and 400) challenge names. */
    initialScope: string;
    /** DPoP-bound tokens and their proofs (RFC 9449 §7). */
    dpop: DpopBinding;
}

/** The schemes this RS accepts a token under (authorization-header.ts); any other counts as no token (RFC 6750 §3.1). */
const ACCEPTED_SCHEMES = ['Bearer', 'DPoP'];

function refuse(res: Response, options: BearerAuthOptions, error?: OAuthError | DpopRefusal, dpopScheme = false): void {
    const dpopError = error && (dpopScheme || options.dpop.required) ? ('code' in error ? error.code : error.error) : undefined;
    const dpop = { algs: DPOP_ALGS, required: options.dpop.required, error: dpopError };
    res.status(401).set('WWW-Authenticate', authenticationChallenge(options.resourceMetadataUrl, options.initialScope, error !== undefined, dpop));
    if (!error) return void res.json({ error: 'unauthorized', error_description: 'This endpoint requires an access token (DPoP or Bearer).' });
    res.json('code' in error ? error.toResponseObject() : { error: error.error, error_description: error.description });
}

/** 503 with Retry-After (RFC 9110 §10.2.3): a passing condition of this server, not the client's fault. */
function unavailable(res: Response, retryAfterSeconds: number, description: string): void {
    res.status(503).set('Retry-After', String(retryAfterSeconds)).json({ error: 'temporarily_unavailable', error_description: description });
}

/** RFC 6750 §3.1: a malformed request is 400 `invalid_request`, still with the challenge that says how to authenticate. */
function refuseMalformed(res: Response, options: BearerAuthOptions, description: string): void {
    res.status(400).set('WWW-Authenticate', malformedRequestChallenge(options.resourceMetadataUrl, options.initialScope));
    res.json({ error: 'invalid_request', error_description: description });
}

export function requireAccessToken(options: BearerAuthOptions): RequestHandler {
    const { verifier, resource, resourceMetadataUrl, dpop } = options;
    return async (req, res, next) => {
        const credential = parseAuthorization(authorizationHeaders(req), ACCEPTED_SCHEMES);
        if (credential.kind === 'malformed') return refuseMalformed(res, options, MALFORMED_DESCRIPTIONS[credential.problem]);
        if (credential.kind === 'none') return refuse(res, options);
        const dpopScheme = credential.scheme === 'DPoP';
        // RFC 9449 §7.1: with --require-dpop a Bearer token is refused whatever it is.
        if (!dpopScheme && dpop.required) return refuse(res, options, { error: 'invalid_token', description: 'This resource accepts DPoP-bound tokens only (DPoP scheme with a proof).' });
        try {
            // Re-spelled as Bearer with one space: the SDK verifies the token itself, and the parser has already checked the grammar.
            req.auth = await verifyBearerToken(`Bearer ${credential.token}`, { verifier, expectedResource: resource, resourceMetadataUrl });
        } catch (error) {
            if (error instanceof AuthorizationServerUnavailableError) return unavailable(res, 5, error.message);
            if (error instanceof OAuthError && error.code === OAuthErrorCode.InvalidToken) return refuse(res, options, error, dpopScheme);
            throw error;
        }
        const unbound = await dpop.check(req, dpopScheme, req.auth);
        if (unbound?.error === 'temporarily_unavailable') return unavailable(res, unbound.retryAfterSeconds, unbound.description);
        if (unbound) return refuse(res, options, unbound, dpopScheme);
        if (dpopScheme) scopeChallengesUnderDpop(res);
        next();
    };
}
