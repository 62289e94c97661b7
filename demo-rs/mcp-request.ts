/**
 * Reading what a POST to `/mcp` asks for, from its parsed JSON-RPC body,
 * before the SDK transport sees it — so the HTTP layer can refuse a request
 * with a status code (400, 415) rather than a JSON-RPC error inside a 200.
 */
import { isJsonContentType, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { RequestHandler } from 'express';
import { sendJsonRpcError } from './errors.ts';

export interface ToolCall {
    name: string;
    id: string | number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The tool a single JSON-RPC `tools/call` request names, or undefined for anything else. */
export function toolCallOf(body: unknown): ToolCall | undefined {
    if (!isRecord(body) || body.method !== 'tools/call' || !isRecord(body.params)) return undefined;
    const { name } = body.params;
    if (typeof name !== 'string') return undefined;
    const id = typeof body.id === 'string' || typeof body.id === 'number' ? body.id : null;
    return { name, id };
}

/** POST bodies must be JSON: anything else would reach the SDK unparsed and unchecked by the checks below. */
export const requireJsonBody: RequestHandler = (req, res, next) => {
    if (isJsonContentType(req.headers['content-type'])) return next();
    res.status(415).json({ error: 'unsupported_media_type', error_description: 'POST /mcp takes Content-Type: application/json.' });
};

/**
 * JSON-RPC batches are refused outright. MCP dropped batching in 2025-06-18 and
 * neither era this RS serves uses it; refusing is simpler to audit than
 * scoring a batch against the union of its tools' scopes.
 */
export const rejectBatches: RequestHandler = (req, res, next) => {
    if (!Array.isArray(req.body)) return next();
    sendJsonRpcError(res, 400, ProtocolErrorCode.InvalidRequest, 'JSON-RPC batches are not accepted; send one message per request.');
};
