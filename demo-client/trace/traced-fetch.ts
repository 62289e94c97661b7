/**
 * Seeing every request the client process sends: a wrapper around the global
 * fetch, through which the SDK's transport and OAuth calls, the headless user
 * agent, and anything added later (a revocation at logout, a DPoP nonce retry)
 * all pass — except the user agent's delivery to this process's own callback
 * listener, which the listener records as received (incoming.ts), so each
 * callback is drawn once. Each exchange takes its place when the request starts and gets its
 * response facts once the headers are in; only copies of JSON bodies are read
 * — never an event stream, which stays open for as long as the server keeps it.
 */
import { networkReason } from '../http-observer.ts';
import { currentActor } from './actor.ts';
import { jsonFacts, paramFacts, requestHeaderFacts, responseHeaderFacts, type FactContext } from './facts.ts';
import type { TraceRecorder } from './recorder.ts';

type Fetch = typeof fetch;

const MAX_JSON_BODY = 64 * 1024;

function bodyFacts(body: unknown, contentType: string | null, context: FactContext): string[] {
    if (body instanceof URLSearchParams) return paramFacts(body, context);
    if (typeof body !== 'string') return [];
    if (contentType?.includes('application/x-www-form-urlencoded')) return paramFacts(new URLSearchParams(body), context);
    try {
        return jsonFacts(JSON.parse(body), context);
    } catch {
        return [];
    }
}

async function responseBodyFacts(response: Response, context: FactContext): Promise<string[]> {
    // A challenge says what the error body says, and more.
    if (response.headers.has('www-authenticate')) return [];
    const type = response.headers.get('content-type') ?? '';
    const length = Number(response.headers.get('content-length') ?? 0);
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type) || length > MAX_JSON_BODY) return [];
    const document: unknown = await response
        .clone()
        .json()
        .catch(() => undefined);
    return document === undefined ? [] : jsonFacts(document, context);
}

/** `base`, recording each exchange it carries in `recorder`. */
export function tracingFetch(recorder: TraceRecorder, base: Fetch): Fetch {
    return async (input, init) => {
        const request = input instanceof Request ? input : undefined;
        const url = new URL(request ? request.url : String(input));
        // A request to this process's own callback listener is drawn once, as the listener received it (incoming.ts).
        if (recorder.callbackOrigins.has(url.origin)) return base(input, init);
        const headers = new Headers(init?.headers ?? request?.headers);
        const { context } = recorder;
        const exchange = recorder.record({
            from: currentActor(),
            to: url.origin,
            incoming: false,
            method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
            path: url.pathname,
            request: [...paramFacts(url.searchParams, context), ...bodyFacts(init?.body, headers.get('content-type'), context), ...requestHeaderFacts(headers, context.labels)],
            response: []
        });
        let response: Response;
        try {
            response = await base(input, init);
        } catch (error) {
            exchange.failure = (error instanceof TypeError ? networkReason(error) : undefined) ?? 'no response';
            throw error;
        }
        exchange.response = [...responseHeaderFacts(response.headers, url, context), ...(await responseBodyFacts(response, context))];
        exchange.status = response.status;
        return response;
    };
}
