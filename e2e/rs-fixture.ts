/**
 * Helpers for the Resource Server tests: start the real demo-rs against the
 * fake AS, and speak raw HTTP to `/mcp` in either protocol era, so each test
 * sees exactly the status, headers and body the RS sends.
 */
import { request as httpRequest } from 'node:http';
import { startServer, type RunningServer } from '../support/spawn.ts';

export interface RunningRs extends RunningServer {
    /** `<origin>/mcp`: the endpoint and the resource URL tokens must name as `aud`. */
    mcpUrl: string;
    /** `<origin>/.well-known/oauth-protected-resource/mcp`. */
    metadataUrl: string;
}

/** demo-rs on a free port trusting `issuer`, with `extraArgs` (e.g. `--audience x`) and `env` added to its own. */
export async function startRs(issuer: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<RunningRs> {
    const rs = await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', issuer, ...extraArgs], { env });
    return Object.assign(rs, { mcpUrl: `${rs.origin}/mcp`, metadataUrl: `${rs.origin}/.well-known/oauth-protected-resource/mcp` });
}

export const MODERN = '2026-07-28';
export const LEGACY = '2025-11-25';

/** The 2026-07-28 per-request `_meta` envelope. */
const envelope = {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientInfo': { name: 'rs-tests', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {}
};

export type Era = 'legacy' | 'modern';

export interface McpMessage {
    method: string;
    params?: Record<string, unknown>;
    id?: number;
}

/** Body and headers for one JSON-RPC request in `era` (2026-07-28 adds the envelope and the standard headers). */
export function mcpRequest(era: Era, message: McpMessage, token?: string): { headers: Record<string, string>; body: string } {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (token) headers.authorization = `Bearer ${token}`;
    let params = message.params;
    if (era === 'modern') {
        params = { ...params, _meta: envelope };
        headers['mcp-protocol-version'] = MODERN;
        headers['mcp-method'] = message.method;
        if (message.method === 'tools/call') headers['mcp-name'] = String(message.params?.name);
    } else if (message.method !== 'initialize') {
        headers['mcp-protocol-version'] = LEGACY;
    }
    const body = JSON.stringify({ jsonrpc: '2.0', id: message.id ?? 1, method: message.method, ...(params && { params }) });
    return { headers, body };
}

export function toolCall(name: string, args: Record<string, unknown> = {}): McpMessage {
    return { method: 'tools/call', params: { name, arguments: args } };
}

export const initialize: McpMessage = {
    method: 'initialize',
    params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'rs-tests', version: '1.0.0' } }
};

export interface HttpAnswer {
    status: number;
    headers: Headers;
    text: string;
    /** The JSON body, or the first `data:` message of an SSE body. */
    json: any;
}

function parseBody(text: string, contentType: string | null): unknown {
    if (contentType?.startsWith('text/event-stream')) {
        const data = text.split('\n').find((line) => line.startsWith('data: '));
        return data ? JSON.parse(data.slice('data: '.length)) : undefined;
    }
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

export async function send(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseBody(text, response.headers.get('content-type')) };
}

/** POSTs one JSON-RPC message to `/mcp` in `era`, with extra or overriding headers. */
export function post(rs: RunningRs, era: Era, message: McpMessage, token?: string, extraHeaders: Record<string, string> = {}): Promise<HttpAnswer> {
    const { headers, body } = mcpRequest(era, message, token);
    return send(rs.mcpUrl, { method: 'POST', headers: { ...headers, ...extraHeaders }, body });
}

/** A request through node:http, which (unlike fetch) lets a test set the Host header. */
export function rawHttp(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end(options.body);
    });
}

/** The auth-params of a `Bearer` challenge (RFC 6750 §3), keyed by name; throws if it is not a Bearer challenge. */
export function bearerChallengeParams(header: string | null): Record<string, string> {
    const match = /^Bearer (.*)$/.exec(header ?? '');
    if (!match) throw new Error(`not a Bearer challenge: ${header}`);
    return Object.fromEntries([...match[1].matchAll(/([\w-]+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => [name, value.replace(/\\(.)/g, '$1')]));
}

/** The `call …` lines the RS printed so far. */
export function callLines(rs: RunningServer): string[] {
    return rs.stdout.filter((line) => line.startsWith('call '));
}

/** Waits until one of `lines` (a process's stdout or stderr so far) contains `text`; output is asynchronous to responses. */
export async function waitForOutput(lines: string[], text: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!lines.some((line) => line.includes(text))) {
        if (Date.now() > deadline) throw new Error(`never saw ${JSON.stringify(text)} in: ${lines.join(' | ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}
