/**
 * Authorization-server throughput and memory: refresh_token grants per second
 * and complete authorize → consent → token flows per second, each at 16
 * concurrent clients; and the AS's resident memory at start and after a
 * flood of 100 000 dynamic registrations (the registry is capped, so what
 * grows is the price of the flood itself, not the data kept).
 */
import { connect } from 'node:net';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { authorizationCodeFlow, refresh, register, type BenchClient } from './bench-oauth.ts';
import { closedLoop, keepAliveAgent, median, pause, residentMb } from './bench-support.ts';

export const AS_CONCURRENCY = 16;
export const FLOOD_REGISTRATIONS = 100_000;
const RESOURCE = 'http://127.0.0.1:9/mcp';

export interface AsThroughput {
    asTokensPerSec: number;
    asAuthCodeFlowsPerSec: number;
}

export interface AsMemory {
    asRssStartMb: number;
    asRssAfterFloodMb: number;
    /** How long the flood took, and so how fast the AS registers clients. */
    asRegistrationsPerSec: number;
}

async function withAs<T>(use: (as: RunningServer) => Promise<T>): Promise<T> {
    const as = await startServer('demo-as/main.ts', ['--port', '0']);
    try {
        return await use(as);
    } finally {
        await as.stop();
    }
}

export function measureAsThroughput(rounds: number, durationMs: number): Promise<AsThroughput> {
    return withAs(async (as) => {
        const agent = keepAliveAgent(AS_CONCURRENCY);
        try {
            const clients: BenchClient[] = [];
            const refreshTokens: string[] = [];
            for (let worker = 0; worker < AS_CONCURRENCY; worker++) {
                const client = await register(agent, as.origin);
                clients.push(client);
                refreshTokens.push((await authorizationCodeFlow(agent, as.origin, client, RESOURCE, 'files:read')).refresh_token);
            }
            const loop = { concurrency: AS_CONCURRENCY, durationMs, warmupMs: 300 };
            const tokens: number[] = [];
            const flows: number[] = [];
            for (let round = 0; round < rounds; round++) {
                const refreshed = await closedLoop(async (worker) => {
                    refreshTokens[worker] = (await refresh(agent, as.origin, clients[worker], refreshTokens[worker])).refresh_token;
                }, loop);
                tokens.push(refreshed.perSecond);
                const authorized = await closedLoop(async (worker) => {
                    await authorizationCodeFlow(agent, as.origin, clients[worker], RESOURCE, 'files:read files:write');
                }, loop);
                flows.push(authorized.perSecond);
            }
            return { asTokensPerSec: median(tokens), asAuthCodeFlowsPerSec: median(flows) };
        } finally {
            agent.destroy();
        }
    });
}

/** RSS after start-up (settled), then after FLOOD_REGISTRATIONS registrations (settled). */
export function measureAsMemory(): Promise<AsMemory> {
    return withAs(async (as) => {
        const pid = as.child.pid as number;
        await pause(500);
        const asRssStartMb = await residentMb(pid);
        const started = performance.now();
        const created = await registrationFlood(as.origin, FLOOD_REGISTRATIONS);
        const seconds = (performance.now() - started) / 1000;
        if (created !== FLOOD_REGISTRATIONS) throw new Error(`the flood registered ${created} of ${FLOOD_REGISTRATIONS} clients`);
        await pause(1000);
        return { asRssStartMb, asRssAfterFloodMb: await residentMb(pid), asRegistrationsPerSec: FLOOD_REGISTRATIONS / seconds };
    });
}

/**
 * Sends `count` registrations pipelined over 16 keep-alive connections, at
 * most 16 in flight on each, and counts the 201 answers. Hand-rolled HTTP/1.1
 * so that the flood costs the generator little and the AS a lot.
 */
async function registrationFlood(origin: string, count: number): Promise<number> {
    const { hostname, port } = new URL(origin);
    const body = JSON.stringify({ client_name: 'flood', redirect_uris: ['http://127.0.0.1:7777/callback'] });
    const request = `POST /register HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const window = 16;
    let issued = 0;
    let created = 0;
    const connection = () =>
        new Promise<void>((resolve, reject) => {
            const socket = connect(Number(port), hostname);
            let inFlight = 0;
            let buffer = '';
            const send = () => {
                let batch = '';
                for (; issued < count && inFlight < window; issued++, inFlight++) batch += request;
                if (batch) socket.write(batch);
                else if (inFlight === 0) socket.end(resolve);
            };
            socket.setEncoding('utf8');
            socket.on('connect', send);
            socket.on('error', reject);
            socket.on('data', (chunk: string) => {
                buffer += chunk;
                for (let next = splitResponse(buffer); next; next = splitResponse(buffer)) {
                    buffer = next.rest;
                    inFlight--;
                    if (next.status === 201) created++;
                }
                send();
            });
        });
    await Promise.all(Array.from({ length: 16 }, connection));
    return created;
}

/** The status of the first complete Content-Length-framed response in `buffer`, and what follows it. */
function splitResponse(buffer: string): { status: number; rest: string } | undefined {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd === -1) return undefined;
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buffer.slice(0, headerEnd))?.[1] ?? 0);
    const end = headerEnd + 4 + length;
    if (buffer.length < end) return undefined;
    return { status: Number(buffer.slice(9, 12)), rest: buffer.slice(end) };
}
