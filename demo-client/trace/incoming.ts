/**
 * Seeing what the callback listener receives: the authorization response,
 * delivered by the headless user agent or by the user's browser. The listener
 * names its origin when it starts, so no request to it is ever drawn as sent
 * to a server; and its request handler is wrapped: each request is recorded
 * before the handler runs, so a note the handler causes (a callback turned
 * away) comes after it, and gets its status once the handler has answered (it
 * answers at once). A request turned away like an earlier one is folded into
 * it (recorder.ts), so a flood of bad callbacks is one arrow with a count.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { plainText } from '../plain-text.ts';
import { paramFacts } from './facts.ts';
import { activeTrace } from './active.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Tells the active trace, if any, that `origin` is this process's callback listener. */
export function traceCallbackListener(origin: string): void {
    activeTrace()?.callbackOrigins.add(origin);
}

/** `handler`, with each request it answers added to the active trace, if there is one. */
export function traceIncoming(handler: Handler): Handler {
    return (request, response) => {
        const recorder = activeTrace();
        if (!recorder) return handler(request, response);
        const origin = `http://127.0.0.1:${request.socket.localPort}`;
        const url = new URL(request.url ?? '/', origin);
        const exchange = recorder.record({
            from: 'user-agent',
            to: origin,
            incoming: true,
            method: plainText(request.method ?? 'GET', 10),
            path: plainText(url.pathname, 60),
            request: [],
            response: []
        });
        handler(request, response);
        exchange.status = response.statusCode;
        // Labelled only when it is drawn: a folded repeat takes no label numbers.
        if (!recorder.folded(exchange)) exchange.request = paramFacts(url.searchParams, recorder.context);
    };
}
