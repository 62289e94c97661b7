/**
 * The `Mcp-Method` header must agree with the method the body names.
 *
 * The same gateway-mismatch reason as `Mcp-Name` (mcp-name-check.ts):
 * proxies route and authorize on the SEP-2243 standard request headers while
 * this RS decides from the body, so a header saying `tools/list` over a body
 * that calls `write-file` would be let through as a read and run as a write.
 * The SDK checks this on 2026-07-28 requests only (and quotes the header back);
 * this check runs first, for both eras, with a fixed message.
 */
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { RequestHandler } from 'express';
import { sendJsonRpcError } from './errors.ts';

/** The body's `method` and `id` when it is a single JSON-RPC object (batches are refused elsewhere). */
function methodOf(body: unknown): { method: string | undefined; id: string | number | null } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { method: undefined, id: null };
    const { method, id } = body as Record<string, unknown>;
    return { method: typeof method === 'string' ? method : undefined, id: typeof id === 'string' || typeof id === 'number' ? id : null };
}

export const rejectMcpMethodMismatch: RequestHandler = (req, res, next) => {
    const header = req.get('mcp-method');
    if (header === undefined) return next();
    const { method, id } = methodOf(req.body);
    // SEP-2243: the header mirrors the body's method; a body naming another method, or none, disagrees with it.
    if (header.trim() === method) return next();
    sendJsonRpcError(res, 400, ProtocolErrorCode.InvalidRequest, 'The Mcp-Method header does not match the method named in the request body.', id);
};
