/**
 * The `Mcp-Name` header must agree with the tool the body calls.
 *
 * Proxies and gateways route and authorize on that header (SEP-2243 standard
 * request headers) while this RS decides from the body; if the two could
 * differ, a request could be authorized as one tool and run as another. The
 * SDK checks this on 2026-07-28 requests; this check runs first and for both
 * eras, so a 2025-era request carrying the header gets the same answer.
 */
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { RequestHandler } from 'express';
import { sendJsonRpcError } from './errors.ts';
import { toolCallOf } from './mcp-request.ts';

const BASE64_SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** The header's value, decoding the `=?base64?…?=` form clients use for non-ASCII names (SEP-2243). */
export function decodeMcpName(header: string): string {
    const trimmed = header.trim();
    const encoded = BASE64_SENTINEL.exec(trimmed)?.[1];
    return encoded === undefined ? trimmed : Buffer.from(encoded, 'base64').toString('utf8');
}

export const rejectMcpNameMismatch: RequestHandler = (req, res, next) => {
    const call = toolCallOf(req.body);
    const header = req.get('mcp-name');
    if (call === undefined || header === undefined || decodeMcpName(header) === call.name) return next();
    sendJsonRpcError(res, 400, ProtocolErrorCode.InvalidRequest, 'The Mcp-Name header does not match the tool named in the request body.', call.id);
};
