/**
 * Seeing what the callback listener receives: the authorization response,
 * delivered by the headless user agent or by the user's browser. The listener's
 * request handler is wrapped; each request is recorded once the handler has
 * answered it (it answers at once), before anything the answer set in motion
 * — the `state` verdict, the `iss` check — adds its mark.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { paramFacts } from './facts.ts';
import { activeTrace } from './active.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** `handler`, with each request it answers added to the active trace, if there is one. */
export function traceIncoming(handler: Handler): Handler {
    return (request, response) => {
        handler(request, response);
        const recorder = activeTrace();
        if (!recorder) return;
        const origin = `http://127.0.0.1:${request.socket.localPort}`;
        recorder.callbackOrigins.add(origin);
        const url = new URL(request.url ?? '/', origin);
        recorder.record({
            from: 'user-agent',
            to: origin,
            incoming: true,
            method: request.method ?? 'GET',
            path: url.pathname,
            request: paramFacts(url.searchParams, recorder.context),
            status: response.statusCode,
            response: []
        });
    };
}
