/**
 * A flood of 100 000 dynamic registrations against the real demo-as. Open
 * registration must not be a way to exhaust the AS: the registry keeps at
 * most 10 000 clients (documented in docs/as-security.md), evicting the least
 * recently used, so the flood costs the flooder its own oldest entries and
 * the AS keeps serving. Memory is measured by the benchmarks, not here.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { authorizeUrl, completeFlow, openConsent, pkcePair } from './as-flow.ts';

const FLOOD_SIZE = 100_000;
const SOCKETS = 16;
const WINDOW = 16;
/** Registrations can complete out of issue order by at most this many. */
const IN_FLIGHT = SOCKETS * WINDOW;
/** The documented registration cap (demo-as/policy.ts CAPS.clients). */
const DOCUMENTED_CLIENT_CAP = 10_000;

let as: RunningServer;

beforeAll(async () => {
    as = await startServer('demo-as/main.ts', ['--port', '0']);
});

afterAll(async () => {
    await as?.stop();
});

/**
 * Sends `count` registrations over SOCKETS keep-alive connections, each with at
 * most WINDOW requests in flight (HTTP/1.1 pipelining; the server still answers
 * each connection in order). A hand-rolled client, because the point is to
 * load the AS, not the test process. Resolves with the client_ids in the order
 * the requests were issued, and a count per status.
 */
async function flood(origin: string, count: number): Promise<{ clientIds: string[]; statuses: Map<number, number> }> {
    const { hostname, port } = new URL(origin);
    const body = JSON.stringify({ client_name: 'flood', redirect_uris: ['http://127.0.0.1:7777/callback'] });
    const requestText = `POST /register HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const clientIds: string[] = new Array(count);
    const statuses = new Map<number, number>();
    let issued = 0;

    const runConnection = () =>
        new Promise<void>((resolve, reject) => {
            const socket = connect(Number(port), hostname);
            const inFlight: number[] = [];
            let buffer = '';
            const send = () => {
                let batch = '';
                while (issued < count && inFlight.length < WINDOW) {
                    inFlight.push(issued++);
                    batch += requestText;
                }
                if (batch) socket.write(batch);
                else if (inFlight.length === 0) socket.end(resolve);
            };
            socket.setEncoding('utf8');
            socket.on('connect', send);
            socket.on('error', reject);
            socket.on('data', (chunk: string) => {
                buffer += chunk;
                for (let response = takeResponse(buffer); response; response = takeResponse(buffer)) {
                    buffer = response.rest;
                    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
                    const index = inFlight.shift() as number;
                    if (response.status === 201) clientIds[index] = (JSON.parse(response.body) as { client_id: string }).client_id;
                }
                send();
            });
        });

    await Promise.all(Array.from({ length: SOCKETS }, runConnection));
    return { clientIds, statuses };
}

/** Splits the first complete HTTP/1.1 response (Content-Length framed) off `buffer`. */
function takeResponse(buffer: string): { status: number; body: string; rest: string } | undefined {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd === -1) return undefined;
    const head = buffer.slice(0, headerEnd);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    const bodyStart = headerEnd + 4;
    if (buffer.length < bodyStart + length) return undefined;
    return { status: Number(head.slice(9, 12)), body: buffer.slice(bodyStart, bodyStart + length), rest: buffer.slice(bodyStart + length) };
}

describe('demo-as under a registration flood', () => {
    it('answers 100 000 registrations, evicts the oldest beyond its 10 000-client cap, and still completes a flow', async () => {
        const { clientIds, statuses } = await flood(as.origin, FLOOD_SIZE);
        expect(Object.fromEntries(statuses)).toEqual({ 201: FLOOD_SIZE });
        expect(as.child.exitCode).toBeNull();

        const authorize = (clientId: string) =>
            openConsent(authorizeUrl(as.origin, { client: { clientId, redirectUri: 'http://127.0.0.1:7777/callback' }, pkce: pkcePair() }));

        // The very first registration is long gone: an unknown client gets the error page, never a redirect.
        const first = await authorize(clientIds[0]);
        expect(first.response.status).toBe(400);
        expect(first.response.headers.get('location')).toBeNull();
        expect(first.html).toContain('<code>invalid_client</code>');

        // Well beyond the cap's reach in the past: evicted too.
        const beyondCap = await authorize(clientIds[FLOOD_SIZE - DOCUMENTED_CLIENT_CAP - IN_FLIGHT - 1]);
        expect(beyondCap.response.status).toBe(400);

        // The most recent registrations are still known and get a consent page.
        const recent = await authorize(clientIds[FLOOD_SIZE - 1]);
        expect(recent.response.status).toBe(200);
        const withinCap = await authorize(clientIds[FLOOD_SIZE - DOCUMENTED_CLIENT_CAP + IN_FLIGHT]);
        expect(withinCap.response.status).toBe(200);

        // And a newcomer still completes the whole flow.
        const { tokens } = await completeFlow(as.origin);
        expect(tokens.scope).toBe('files:read');
        expect(as.child.exitCode).toBeNull();
        // The flood's pace is the machine's (about a minute on two cores); how fast the AS registers is npm run bench's.
    }, 180_000);
});
