/**
 * Every body this client reads from a server, bounded while it streams: a
 * fetch wrapper whose responses stop after a fixed number of bytes, so a
 * server that sends an endless metadata document, token response or error
 * body costs the client a constant amount of memory, not all it has. The cut
 * cancels the body, which closes the connection; whoever was reading it gets
 * a BodyTooLargeError that says which URL sent too much.
 *
 * Three bounds, by what the body is:
 * - a JSON document from an OAuth server or an error body: metadata,
 *   registration and token responses are a few KB, so tens of KB is generous;
 * - an HTML page the headless user agent reads (a consent or sign-in page,
 *   which may inline its styles and scripts);
 * - an MCP message from the resource: a tool's result may legitimately be
 *   large, so it gets more room. An event stream is bounded per event, not in
 *   total: the stream itself may stay open for as long as the server has
 *   notifications to send, but no single message may grow without end.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { plainText } from './plain-text.ts';

/** Metadata (RFC 9728, RFC 8414), registration (RFC 7591), token (RFC 6749 §5) and error bodies. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
/** A page the headless user agent reads. */
export const MAX_PAGE_BYTES = 512 * 1024;
/** One MCP message from the resource: a JSON response, or one event of an event stream. */
export const MAX_MCP_MESSAGE_BYTES = 4 * 1024 * 1024;

/** How a byte count reads in a message: `64 KiB`, `4 MiB`. */
const inUnits = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);

/**
 * A body cut off at its bound. A TypeError, as a network failure is, so the SDK passes it on
 * wherever it passes on a failed fetch (it treats other errors from resource metadata as
 * "no metadata" and carries on without it).
 */
export class BodyTooLargeError extends TypeError {
    constructor(where: string, limit: number, perEvent: boolean) {
        super(`${where} sent ${perEvent ? 'an event' : 'a body'} of more than ${inUnits(limit)}; refused`);
    }
}

const LF = 0x0a;
const CR = 0x0d;

/** Counts the bytes of the event being received, across chunks; a blank line ends an event (HTML §9.2.6). */
class EventSize {
    private size = 0;
    private lineLength = 0;
    private afterCR = false;

    /** Adds `chunk`; true once an event grew past `limit`. */
    exceeds(chunk: Uint8Array, limit: number): boolean {
        for (const byte of chunk) {
            this.size++;
            const crlf = byte === LF && this.afterCR;
            this.afterCR = byte === CR;
            if (crlf) continue;
            if (byte === LF || byte === CR) {
                if (this.lineLength === 0) this.size = 0;
                this.lineLength = 0;
            } else {
                this.lineLength++;
            }
            if (this.size > limit) return true;
        }
        return false;
    }
}

/** `body`, erroring (and so cancelling the source) once it carried more than `limit` bytes — in one event, if `perEvent`. */
function bounded(body: ReadableStream<Uint8Array>, limit: number, perEvent: boolean, where: string): ReadableStream<Uint8Array> {
    let total = 0;
    const events = new EventSize();
    return body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
                total += chunk.byteLength;
                const over = perEvent ? events.exceeds(chunk, limit) : total > limit;
                if (over) controller.error(new BodyTooLargeError(where, limit, perEvent));
                else controller.enqueue(chunk);
            }
        })
    );
}

/** The bound for a response: an MCP message from the resource, a page, or a document (every error body is one). */
function limitFor(url: URL, response: Response, type: string, mcpEndpoint: string | undefined): number {
    if (type.startsWith('text/event-stream')) return MAX_MCP_MESSAGE_BYTES;
    if (!response.ok) return MAX_DOCUMENT_BYTES;
    if (url.href === mcpEndpoint) return MAX_MCP_MESSAGE_BYTES;
    return type.startsWith('text/html') ? MAX_PAGE_BYTES : MAX_DOCUMENT_BYTES;
}

/** `response` with `body` in place of its own, everything else kept. */
function withBody(response: Response, body: ReadableStream<Uint8Array>): Response {
    const replaced = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(replaced, 'url', { value: response.url });
    return replaced;
}

/** `base`, every response's body bounded; `mcpEndpoint` is the resource's MCP URL (`--server`), if any. */
export function boundedFetch(base: typeof fetch, mcpEndpoint?: URL): typeof fetch {
    return async (input, init) => {
        const response = await base(input, init);
        if (!response.body) return response;
        const url = new URL(response.url || (input instanceof Request ? input.url : String(input)));
        const type = (response.headers.get('content-type') ?? '').toLowerCase();
        // Origin and path only: a query string may carry a secret.
        const where = plainText(`${url.origin}${url.pathname}`, 200);
        return withBody(response, bounded(response.body, limitFor(url, response, type, mcpEndpoint?.href), type.startsWith('text/event-stream'), where));
    };
}

/**
 * `base`, calling `onRefused` when a body it returned is cut off at its bound. For readers that
 * do not pass the error on: the SDK's event-stream reader reports a failed stream only as a
 * disconnect, and the request it carried would wait for an answer that never comes.
 */
export function noticingRefusals(base: FetchLike, onRefused: (error: BodyTooLargeError) => void): FetchLike {
    return async (input, init) => {
        const response = await base(input, init);
        if (!response.body) return response;
        const reader = response.body.getReader();
        const body = new ReadableStream<Uint8Array>({
            async pull(controller) {
                try {
                    const { done, value } = await reader.read();
                    if (done) controller.close();
                    else controller.enqueue(value);
                } catch (error) {
                    if (error instanceof BodyTooLargeError) onRefused(error);
                    controller.error(error);
                }
            },
            cancel: (reason) => reader.cancel(reason)
        });
        return withBody(response, body);
    };
}
