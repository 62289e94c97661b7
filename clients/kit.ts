/**
 * What every client adapter in clients/adapters/ shares: the contract with the
 * matrix runner (clients/matrix.ts), and the pieces a host around an MCP client
 * library needs — a recording fetch, a person at the browser, a loopback
 * callback listener.
 *
 * The runner copies an adapter and this file into a work folder where the
 * adapter's pinned packages are installed, and runs it as its own process:
 *
 *   MATRIX_SERVER_URL     the RS's MCP endpoint (http://127.0.0.1:<port>/mcp)
 *   MATRIX_PLAN           the steps, comma-separated: `connect`, `call:<tool>`, `pause`
 *   MATRIX_BROWSER        a program that plays the person: `$MATRIX_BROWSER <authorization URL>` loads the
 *                         consent page, approves, and follows the redirect to the callback (also set as BROWSER,
 *                         for libraries that open the URL themselves with the `open` package)
 *   MATRIX_FETCH_LOG      where the recording fetch appends one JSON line per exchange
 *   MATRIX_CALLBACK_PORT  a free port the runner chose, for hosts whose docs fix a redirect URI
 *
 * The adapter answers on stdout, one JSON line per step (`{"step":"call:write-file","ok":false,"error":"…"}`);
 * at `pause` it prints `{"step":"pause"}` and waits for a line on stdin (the runner restarts the AS meanwhile).
 * With MATRIX_STEP_ACK=1 (the runner sets it) it also waits for a line on stdin after every step's line, so the
 * runner can file what the servers logged during that step under it before the next one starts.
 * Anything else it says goes to stderr. This file imports only Node's own modules: it runs next to any library.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';

/** What an adapter implements: a host using the library as the library's docs show. */
export interface Host {
    /** Connect (the first authorization happens here) and list the tools. */
    connect(): Promise<void>;
    /** Call one tool; resolves with the tool's text, rejects with the library's error. */
    callTool(name: string, args: Record<string, unknown>): Promise<string>;
    close(): Promise<void>;
}

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set; clients/matrix.ts sets it`);
    return value;
}

export const matrix = {
    serverUrl: required('MATRIX_SERVER_URL'),
    callbackPort: Number(process.env.MATRIX_CALLBACK_PORT ?? 0),
    stepTimeoutMs: Number(process.env.MATRIX_STEP_TIMEOUT_MS ?? 30_000)
};

/** The arguments each tool is called with: the same for every client. */
export const TOOL_ARGUMENTS: Record<string, Record<string, unknown>> = {
    'list-files': {},
    'read-file': { name: 'notes.txt' },
    'write-file': { name: 'notes.txt', content: 'written by a client library' },
    'purge-files': {}
};

/** One exchange as the recording fetch saw it; never a token, a code or a secret. */
export interface FetchRecord {
    method: string;
    /** Origin and path; the query is left out (it can carry codes). */
    url: string;
    status: number;
    /** The scheme of the Authorization header sent (`Bearer`, `DPoP`, `Basic`), if any. */
    authorization?: string;
    dpopProof: boolean;
    wwwAuthenticate?: string;
    /** For token requests: the grant type and the scope asked for. */
    grantType?: string;
    scope?: string;
}

function formBody(body: unknown): URLSearchParams | undefined {
    if (body instanceof URLSearchParams) return body;
    if (typeof body === 'string' && /^[\w.%+-]+=/.test(body)) return new URLSearchParams(body);
    return undefined;
}

/** A fetch that passes everything through and appends what it saw to MATRIX_FETCH_LOG. */
export function recordingFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
    const log = process.env.MATRIX_FETCH_LOG;
    return async (input, init) => {
        const request = new Request(input, init);
        const response = await base(input, init);
        if (log) {
            const url = new URL(request.url);
            const form = formBody(init?.body);
            const record: FetchRecord = {
                method: request.method,
                url: `${url.origin}${url.pathname}`,
                status: response.status,
                dpopProof: request.headers.has('dpop'),
                ...(request.headers.get('authorization') && { authorization: request.headers.get('authorization')!.split(' ')[0] }),
                ...(response.headers.get('www-authenticate') && { wwwAuthenticate: response.headers.get('www-authenticate')! }),
                ...(form?.get('grant_type') && { grantType: form.get('grant_type')! }),
                ...(form?.get('scope') && { scope: form.get('scope')! })
            };
            appendFileSync(log, `${JSON.stringify(record)}\n`);
        }
        return response;
    };
}

/**
 * The visits still under way. A library that opens the browser and fails at once (mid-session, with no callback
 * listener left) has already answered while the person is still on the way to the AS: each step's line waits for
 * them, so what they did at the AS is filed under the step that sent them there.
 */
const browsersUnderway = new Set<Promise<void>>();

/** Hands `url` to the person at the browser (MATRIX_BROWSER) and returns at once, as opening a browser does. */
export function openInBrowser(url: string | URL): void {
    const child = spawn(required('MATRIX_BROWSER'), [String(url)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const finished = new Promise<void>((resolve) => {
        child.on('error', (error) => {
            console.error(`the browser could not start: ${error.message}`);
            resolve();
        });
        child.on('exit', () => resolve());
    });
    browsersUnderway.add(finished);
    void finished.then(() => browsersUnderway.delete(finished));
}

async function browsersFinished(): Promise<void> {
    while (browsersUnderway.size > 0) await Promise.all(browsersUnderway);
}

/** A loopback callback listener: each authorization response's query, in the order they arrive. */
export interface CallbackListener {
    /** `http://127.0.0.1:<port><path>` */
    redirectUrl: string;
    /** The next authorization response's query. */
    next(): Promise<URLSearchParams>;
    close(): Promise<void>;
}

export async function listenForCallbacks(path = '/callback', port = matrix.callbackPort): Promise<CallbackListener> {
    const arrived: URLSearchParams[] = [];
    const waiting: Array<(params: URLSearchParams) => void> = [];
    const server: Server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (url.pathname !== path) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.\n');
        const resolve = waiting.shift();
        if (resolve) resolve(url.searchParams);
        else arrived.push(url.searchParams);
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
    });
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    return {
        redirectUrl: `http://127.0.0.1:${bound}${path}`,
        next: () => {
            const ready = arrived.shift();
            return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
        },
        close: () => new Promise((resolve) => server.close(() => resolve()))
    };
}

/** The text of an MCP tool result; a result the tool marked as an error rejects with that text. */
export function toolResultText(result: object): string {
    const { content, isError } = result as { content?: unknown; isError?: unknown };
    const parts = Array.isArray(content) ? (content as Array<{ type?: string; text?: string }>) : [];
    const text = parts.map((part) => part.text ?? `[${part.type ?? 'content'}]`).join('\n');
    if (isError) throw new Error(`the tool answered with an error: ${text}`);
    return text;
}

/**
 * What the SDKs' own examples do around UnauthorizedError: run `attempt`; when the library says it sent the
 * person to the authorization server, complete that authorization with `finish` and run `attempt` once more.
 */
export async function retryAfterAuthorization<T>(attempt: () => Promise<T>, sentToAuthorization: (error: unknown) => boolean, finish: () => Promise<void>): Promise<T> {
    try {
        return await attempt();
    } catch (error) {
        if (!sentToAuthorization(error)) throw error;
        await finish();
        return attempt();
    }
}

/**
 * What an in-memory OAuth client provider of the SDK (v1 and v2 alike) keeps — one registration, the tokens, the
 * PKCE verifier — with the methods the SDK reads and writes them through. An adapter's provider extends it with
 * its metadata and its redirect.
 */
export class MemoryCredentials<ClientInformation, Tokens> {
    private client?: ClientInformation;
    private stored?: Tokens;
    private verifier?: string;

    clientInformation(): ClientInformation | undefined {
        return this.client;
    }
    saveClientInformation(information: ClientInformation): void {
        this.client = information;
    }
    tokens(): Tokens | undefined {
        return this.stored;
    }
    saveTokens(tokens: Tokens): void {
        this.stored = tokens;
    }
    saveCodeVerifier(verifier: string): void {
        this.verifier = verifier;
    }
    codeVerifier(): string {
        if (!this.verifier) throw new Error('no PKCE verifier saved');
        return this.verifier;
    }
    /** The SDK calls this when the AS no longer accepts what is kept (e.g. `invalid_client` after a restart). */
    invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
        if (scope === 'all' || scope === 'client') this.client = undefined;
        if (scope === 'all' || scope === 'tokens') this.stored = undefined;
        if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    }
}

function say(line: Record<string, unknown>): void {
    process.stdout.write(`${JSON.stringify(line)}\n`);
}

function firstLine(error: unknown): string {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return text.split('\n')[0]!.slice(0, 300);
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${matrix.stepTimeoutMs / 1000} s`)), matrix.stepTimeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs MATRIX_PLAN against `host`, one JSON line per step, and exits. A failed `connect` ends the plan (nothing
 * after it can run); a failed tool call does not.
 */
export async function runPlan(host: Host): Promise<never> {
    const steps = required('MATRIX_PLAN').split(',').filter(Boolean);
    const stdin = createInterface({ input: process.stdin });
    const lines = stdin[Symbol.asyncIterator]();
    for (const step of steps) {
        if (step === 'pause') {
            say({ step });
            await lines.next();
            continue;
        }
        const tool = step.startsWith('call:') ? step.slice('call:'.length) : undefined;
        let outcome: { step: string; ok: boolean; text?: string; error?: string };
        try {
            const text = await withTimeout<string | void>(tool ? host.callTool(tool, TOOL_ARGUMENTS[tool] ?? {}) : host.connect(), step);
            outcome = { step, ok: true, ...(text && { text: text.slice(0, 200) }) };
        } catch (error) {
            outcome = { step, ok: false, error: firstLine(error) };
        }
        await withTimeout(browsersFinished(), `${step}: the browser`).catch((error) => console.error(firstLine(error)));
        say(outcome);
        if (!outcome.ok && !tool) break;
        if (process.env.MATRIX_STEP_ACK === '1') await lines.next();
    }
    stdin.close();
    await withTimeout(host.close(), 'close').catch((error) => console.error(`close: ${firstLine(error)}`));
    process.exit(0);
}
