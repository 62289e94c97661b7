/**
 * The loopback listener that receives the authorization response
 * (RFC 8252 §7.3): bound to 127.0.0.1 only, path /callback, one pending
 * authorization at a time, `state` checked before anything else, a static
 * page for the browser, and the whole query handed on untouched so the SDK's
 * `finishAuth(URLSearchParams)` can check `iss` first. Anyone on the machine
 * can send it requests, so what it reports stays bounded: each way a callback
 * is turned away is reported once as it happens, and how many more were
 * turned away that way once, when the listener closes.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenOnLoopback } from '../support/serve.ts';
import { checkCallback } from './callback-check.ts';
import { NOT_FOUND_PAGE, PAGE_HEADERS, RECEIVED_PAGE, REJECTED_PAGE } from './callback-page.ts';
import { traceCallbackListener, traceIncoming } from './trace/incoming.ts';

export const CALLBACK_PATH = '/callback';

/** `--callback-port`: the one port the registered redirect URI names could not be listened on. */
export class CallbackPortUnavailableError extends Error {
    constructor(
        readonly port: number,
        code: string | undefined
    ) {
        const why = code === 'EADDRINUSE' ? 'is in use by another program' : `cannot be listened on (${code ?? 'error'})`;
        super(`127.0.0.1:${port} (--callback-port) ${why}; the registered redirect URI names that port, so the client cannot take another`);
    }
}

/** No authorization response arrived in time. */
export class AuthorizationTimeoutError extends Error {
    constructor(readonly seconds: number) {
        super(`no authorization response arrived within ${seconds} s (--auth-timeout); nothing was granted`);
    }
}

interface Pending {
    state: string;
    resolve(params: URLSearchParams): void;
    reject(error: Error): void;
    timer: NodeJS.Timeout;
}

/** What the listener tells its owner about callbacks it turned away; reasons are our own text, never request text. */
export interface RejectionReports {
    /** A callback was turned away; `repeated` when one was turned away for the same reason before. */
    rejected(reason: string, repeated: boolean): void;
    /** At close: `count` callbacks after the first were turned away for `reason`. */
    repeated(reason: string, count: number): void;
}

export class CallbackListener {
    private pending?: Pending;
    /** How many callbacks each reason turned away; the reasons are a handful of fixed sentences. */
    private readonly rejections = new Map<string, number>();

    private constructor(
        private readonly server: Server,
        readonly port: number,
        private readonly reports: RejectionReports
    ) {}

    /**
     * Listens on `preferredPort` when given and free, otherwise on any free port. The caller
     * compares `port` with what it registered: exact redirect matching at the AS means a
     * changed port needs a new registration. With `exact` (`--callback-port`: the port an
     * administrator registered, which an AS comparing ports exactly insists on) no other port
     * will do: a port that cannot be listened on is a CallbackPortUnavailableError.
     */
    static async start(preferredPort: number | undefined, reports: RejectionReports, { exact = false } = {}): Promise<CallbackListener> {
        let listener: CallbackListener | undefined;
        const handler = traceIncoming((request: IncomingMessage, response: ServerResponse) => listener?.handle(request, response));
        const { server } = await listenOnLoopback(handler, preferredPort ?? 0).catch((error: NodeJS.ErrnoException) => {
            if (exact && preferredPort !== undefined) throw new CallbackPortUnavailableError(preferredPort, error.code);
            if (preferredPort === undefined || error.code !== 'EADDRINUSE') throw error;
            return listenOnLoopback(handler, 0);
        });
        const { port } = server.address() as { port: number };
        listener = new CallbackListener(server, port, reports);
        traceCallbackListener(`http://127.0.0.1:${port}`);
        return listener;
    }

    get redirectUrl(): string {
        return `http://127.0.0.1:${this.port}${CALLBACK_PATH}`;
    }

    /** Waits for the callback answering `state`; only one authorization may be pending. */
    expect(state: string, timeoutMs: number): Promise<URLSearchParams> {
        if (this.pending) return Promise.reject(new Error('another authorization is already pending'));
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => this.fail(new AuthorizationTimeoutError(Math.round(timeoutMs / 1000))), timeoutMs);
            this.pending = { state, resolve, reject, timer };
        });
    }

    /** Ends the pending wait with `error` (e.g. the headless user agent could not finish). */
    fail(error: Error): void {
        const pending = this.pending;
        if (!pending) return;
        this.pending = undefined;
        clearTimeout(pending.timer);
        pending.reject(error);
    }

    close(): Promise<void> {
        this.fail(new Error('the callback listener closed'));
        for (const [reason, count] of this.rejections) if (count > 1) this.reports.repeated(reason, count - 1);
        this.rejections.clear();
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private handle(request: IncomingMessage, response: ServerResponse): void {
        const url = new URL(request.url ?? '/', this.redirectUrl);
        if (url.pathname !== CALLBACK_PATH || request.method !== 'GET') {
            response.writeHead(404, PAGE_HEADERS).end(NOT_FOUND_PAGE);
            return;
        }
        // RFC 8252 §8.3: answer only requests addressed to the loopback literal we registered (DNS rebinding).
        if (request.headers.host !== `127.0.0.1:${this.port}`) return this.reject(response, 'it was not addressed to 127.0.0.1');
        const verdict = checkCallback(url.searchParams, this.pending?.state);
        if (!verdict.accepted) return this.reject(response, verdict.reason);
        const pending = this.pending!;
        this.pending = undefined;
        clearTimeout(pending.timer);
        response.writeHead(200, PAGE_HEADERS).end(RECEIVED_PAGE);
        pending.resolve(url.searchParams);
    }

    private reject(response: ServerResponse, reason: string): void {
        response.writeHead(400, PAGE_HEADERS).end(REJECTED_PAGE);
        const before = this.rejections.get(reason) ?? 0;
        this.rejections.set(reason, before + 1);
        this.reports.rejected(reason, before > 0);
    }
}
