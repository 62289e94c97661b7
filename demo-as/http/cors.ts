/**
 * CORS for browser-based MCP clients, exactly where RFC 9700 §2.6 allows it:
 * the endpoints a page fetches — metadata, JWKS, registration, token and
 * revocation. /authorize and the consent decision are pages a person
 * navigates to, never fetched, so they never get CORS headers and a script
 * on another origin can never read a consent page or post a decision.
 *
 * Any origin may call them: they take no cookies and no ambient credentials
 * (public clients authenticate with PKCE and client_id), so there is nothing
 * a foreign origin gains that a non-browser client does not already have.
 */
import cors from 'cors';
import type { RequestHandler } from 'express';

/** The paths a browser-based client fetches; matched exactly (strict, case-sensitive routing). */
const CORS_PATHS: ReadonlySet<string> = new Set(['/.well-known/oauth-authorization-server', '/jwks', '/register', '/token', '/revoke']);

const allowAnyOrigin = cors({
    origin: '*',
    methods: ['GET', 'HEAD', 'POST'],
    // RFC 9449 §4.1 / §8: a DPoP proof travels in the DPoP header, and a nonce comes back in DPoP-Nonce.
    allowedHeaders: ['Content-Type', 'Authorization', 'DPoP'],
    exposedHeaders: ['DPoP-Nonce', 'WWW-Authenticate'],
    maxAge: 600
});

/** Adds CORS headers on the paths above and answers their preflights (204); everything else passes untouched. */
export const corsForBrowserClients: RequestHandler = (req, res, next) => {
    if (!CORS_PATHS.has(req.path)) return next();
    allowAnyOrigin(req, res, next);
};
