/**
 * Seeing what the callback listener receives: the authorization response,
 * delivered by the headless user agent or by the user's browser. The listener's
 * request handler is wrapped: each request is recorded before the handler
 * runs, so a note the handler causes (a callback turned away) comes after it,
 * and gets its status once the handler has answered (it answers at once).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { paramFacts } from './facts.ts';
import { activeTrace } from './active.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** `handler`, with each request it answers added to the active trace, if there is one. */
export function traceIncoming(handler: Handler): Handler {
    return (request, response) => {
        const recorder = activeTrace();
        if (!recorder) return handler(request, response);
        const origin = `http://127.0.0.1:${request.socket.localPort}`;
        recorder.callbackOrigins.add(origin);
        const url = new URL(request.url ?? '/', origin);
        const exchange = recorder.record({
            from: 'user-agent',
            to: origin,
            incoming: true,
            method: request.method ?? 'GET',
            path: url.pathname,
            request: paramFacts(url.searchParams, recorder.context),
            response: []
        });
        handler(request, response);
        exchange.status = response.statusCode;
    };
}
