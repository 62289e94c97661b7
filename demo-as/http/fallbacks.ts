/**
 * What happens to requests no endpoint answers: a wrong method (405 with
 * Allow), an unknown path (404), and every error an endpoint or the body
 * parser raises. All of them answer in JSON, and none repeats anything from
 * the request: body-parser messages can quote the input, so only their type
 * is used. A 5xx means a bug in the AS; the tests treat it as a failure.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { LIMITS } from '../policy.ts';
import { sendOAuthError } from './responses.ts';

export function methodNotAllowed(allowed: string): RequestHandler {
    return (_req, res) => {
        res.set('Allow', allowed);
        sendOAuthError(res, 405, 'method_not_allowed', `this endpoint accepts ${allowed}`);
    };
}

export const notFound: RequestHandler = (_req, res) => {
    sendOAuthError(res, 404, 'not_found', 'there is no such endpoint');
};

interface BodyParserError {
    type?: unknown;
    status?: unknown;
}

/** Body-parser failures (by their `type`) and the 4xx answer each one gets. */
const CLIENT_ERRORS: Record<string, { status: number; description: string }> = {
    'entity.too.large': { status: 413, description: `the request body is larger than this endpoint accepts (JSON ${LIMITS.jsonBody}, forms ${LIMITS.formBody})` },
    'entity.parse.failed': { status: 400, description: 'the request body is not well-formed' },
    'encoding.unsupported': { status: 415, description: 'compressed request bodies are not accepted' },
    'charset.unsupported': { status: 415, description: 'the request body charset is not supported' },
    'request.aborted': { status: 400, description: 'the request body ended early' },
    'request.size.invalid': { status: 400, description: 'the request body does not match its Content-Length' }
};

export const finalErrorHandler: ErrorRequestHandler = (error: BodyParserError, req, res, _next) => {
    if (res.headersSent) {
        res.destroy();
        return;
    }
    const known = typeof error?.type === 'string' ? CLIENT_ERRORS[error.type] : undefined;
    if (known) {
        // RFC 7591 §3.2.2: a registration body that is not valid JSON is invalid client metadata.
        const code = req.path === '/register' && known.status === 400 ? 'invalid_client_metadata' : 'invalid_request';
        return sendOAuthError(res, known.status, code, known.description);
    }
    reportBug(error, req.route?.path);
    sendOAuthError(res, 500, 'server_error', 'the authorization server failed to handle this request');
};

/** A bug: logged to stderr with its stack frames only, since an error message may quote the input. */
function reportBug(error: unknown, route: unknown): void {
    const name = error instanceof Error ? error.name : typeof error;
    const frames = error instanceof Error ? (error.stack ?? '').split('\n').slice(1).join('\n') : '';
    process.stderr.write(`internal error route=${typeof route === 'string' ? route : '-'} name=${name}\n${frames}\n`);
}
