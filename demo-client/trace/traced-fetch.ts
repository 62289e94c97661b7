/**
 * Seeing every request the client process sends: a wrapper around the global
 * fetch, through which the SDK's transport and OAuth calls, the headless user
 * agent, and anything added later (a revocation at logout, a DPoP nonce retry)
 * all pass. It describes each exchange with facts.ts once the response
 * headers are in, reading a copy of JSON bodies only — never an event stream,
 * which stays open for as long as the server keeps it.
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
        const from = currentActor();
        const request = input instanceof Request ? input : undefined;
        const url = new URL(request ? request.url : String(input));
        const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
        const headers = new Headers(init?.headers ?? request?.headers);
        const { context } = recorder;
        const describe = () => [...bodyFacts(init?.body, headers.get('content-type'), context), ...requestHeaderFacts(headers, context.labels)];
        const exchange = { from, to: url.origin, incoming: false, method, path: url.pathname, response: [] as string[] };
        let response: Response;
        try {
            response = await base(input, init);
        } catch (error) {
            if (!recorder.callbackOrigins.has(url.origin)) {
                const reason = error instanceof TypeError ? networkReason(error) : undefined;
                recorder.record({ ...exchange, request: [...paramFacts(url.searchParams, context), ...describe()], failure: reason ?? 'no response' });
            }
            throw error;
        }
        // The callback listener records what it receives itself (a browser's requests never pass through here).
        if (recorder.callbackOrigins.has(url.origin)) return response;
        const requestFacts = [...paramFacts(url.searchParams, context), ...describe()];
        const headerFacts = responseHeaderFacts(response.headers, url, context);
        // A challenge says what the error body says, and more.
        const body = response.headers.has('www-authenticate') ? [] : await responseBodyFacts(response, context);
        const responseFacts = [...headerFacts, ...body];
        recorder.record({ ...exchange, request: requestFacts, status: response.status, response: responseFacts });
        return response;
    };
}
