/**
 * Which web pages may call this RS from a browser, and what they may read.
 *
 * One rule decides both the Origin check (MCP Streamable HTTP transport,
 * security warning: a foreign page must not reach /mcp, even with a token)
 * and CORS (the `cors` package): a loopback origin (the SDK's localhost
 * list, any port) or one named with `--allowed-origin`. Preflights from those
 * are answered here, before authentication, since a browser sends them without
 * credentials (Fetch standard, CORS-preflight request). Every other present
 * Origin is refused with 403 by the SDK's middleware.
 */
import { localhostOriginValidation } from '@modelcontextprotocol/express';
import { localhostAllowedOrigins, validateOriginHeader } from '@modelcontextprotocol/server';
import cors from 'cors';
import type { RequestHandler } from 'express';

/** What a browser client sends: the token, the JSON-RPC body and the MCP standard headers (SEP-2243), and DPoP proofs (RFC 9449 §4.1). */
export const ALLOWED_REQUEST_HEADERS = [
    'Authorization',
    'Content-Type',
    'Accept',
    'Mcp-Protocol-Version',
    'Mcp-Session-Id',
    'Mcp-Method',
    'Mcp-Name',
    'Last-Event-ID',
    'DPoP'
];

/**
 * What a browser client must be able to read: the challenge, whose
 * `resource_metadata` and `scope` it steps up from (RFC 9728 §5.1), the MCP
 * transport's headers, and when to retry after a 503.
 */
export const EXPOSED_HEADERS = ['WWW-Authenticate', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Retry-After'];

export function browserAccess(allowedOrigins: readonly string[]): RequestHandler[] {
    const named = new Set(allowedOrigins);
    const loopbackHostnames = localhostAllowedOrigins();
    const isLoopback = (origin: string) => /^https?:\/\//.test(origin) && validateOriginHeader(origin, loopbackHostnames).ok;
    const allowed = (origin: string | undefined) => origin !== undefined && (named.has(origin) || isLoopback(origin));

    const loopbackOnly = localhostOriginValidation();
    // An origin named by the operator passes; every other one goes through the SDK's loopback check (403 when foreign).
    const validateOrigin: RequestHandler = (req, res, next) => (named.has(req.headers.origin ?? '') ? next() : loopbackOnly(req, res, next));

    const corsHeaders = cors({
        origin: (origin, callback) => callback(null, allowed(origin)),
        methods: ['GET', 'POST'],
        allowedHeaders: ALLOWED_REQUEST_HEADERS,
        exposedHeaders: EXPOSED_HEADERS,
        credentials: false, // bearer tokens travel in a header, never in cookies
        maxAge: 600
    });
    return [validateOrigin, corsHeaders];
}
