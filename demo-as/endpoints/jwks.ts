/**
 * GET /jwks — the public signing key (RFC 7517), for resource servers that
 * verify this AS's access tokens.
 */
import type { RequestHandler } from 'express';
import type { AsContext } from '../context.ts';

export function jwksEndpoint({ signingKey }: AsContext): RequestHandler {
    return (_req, res) => {
        res.json(signingKey.jwks);
    };
}
