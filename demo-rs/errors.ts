/**
 * Every HTTP error this RS writes itself is JSON: JSON-RPC error objects on
 * `/mcp` (what an MCP client parses), small `{error, error_description}`
 * objects elsewhere. Bad input is always a 4xx with a fixed message — never a
 * stack trace, never the request's own text echoed back.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';

export function sendJsonRpcError(res: Response, status: number, code: number, message: string, id: string | number | null = null): void {
    res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id });
}

export const notFound: RequestHandler = (_req, res) => {
    res.status(404).json({ error: 'not_found', error_description: 'No such endpoint. The MCP endpoint is POST /mcp.' });
};

export function methodNotAllowed(allowed: string): RequestHandler {
    return (_req, res) => {
        res.status(405).set('Allow', allowed).json({ error: 'method_not_allowed', error_description: `This endpoint accepts ${allowed} only.` });
    };
}

interface HttpError {
    status?: number;
    type?: string;
}

/** The last handler: body-parser failures become their 4xx; anything else is our bug, a 500 without details. */
export const finalErrorHandler: ErrorRequestHandler = (error: HttpError, _req, res, _next) => {
    if (res.headersSent) return res.end();
    if (error.type === 'entity.parse.failed') {
        return sendJsonRpcError(res, 400, ProtocolErrorCode.ParseError, 'Parse error: the request body is not valid JSON.');
    }
    if (error.type === 'entity.too.large') {
        return sendJsonRpcError(res, 413, ProtocolErrorCode.InvalidRequest, 'The request body is larger than this server accepts.');
    }
    const status = error.status ?? 500;
    if (status >= 400 && status < 500) {
        res.status(status).json({ error: 'invalid_request', error_description: 'The request could not be read.' });
        return;
    }
    process.stderr.write(`demo-rs: internal error (${error instanceof Error ? error.name : 'unknown'})\n`);
    res.status(500).json({ error: 'server_error', error_description: 'Internal error.' });
};
