/**
 * Starting and stopping a server process the same way everywhere.
 *
 * Every server in this suite binds the loopback address only, prints one
 * ready line (`listening on http://127.0.0.1:<port>`) that the demo runner
 * and the tests wait for, and exits 0 on SIGINT or SIGTERM.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:http';

export const LOOPBACK_HOST = '127.0.0.1';

/**
 * How long an idle keep-alive connection stays open. Node's default (5 s) is
 * short enough that a busy client can reuse a pooled connection just as the
 * server closes it, and fetch does not retry a POST on a closed socket
 * (UND_ERR_SOCKET; seen with 50 clients at once in e2e/load.test.ts).
 */
const KEEP_ALIVE_TIMEOUT_MS = 60_000;

/** The exact prefix of the ready line; parsers match on it. */
export const READY_PREFIX = 'listening on ';

/** Listens on 127.0.0.1:`port` (0 = any free port) and resolves with the server and its origin. */
export function listenOnLoopback(handler: RequestListener, port: number): Promise<{ server: Server; origin: string }> {
    return new Promise((resolve, reject) => {
        const server = createServer(handler);
        server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
        server.once('error', reject);
        server.listen(port, LOOPBACK_HOST, () => {
            const { port: bound } = server.address() as AddressInfo;
            resolve({ server, origin: `http://${LOOPBACK_HOST}:${bound}` });
        });
    });
}

/** Why a port could not be listened on, in words a user can act on. */
function portProblem(code: string | undefined): string {
    if (code === 'EADDRINUSE') return 'is in use by another program; stop that program, or choose another --port (0 picks a free one)';
    if (code === 'EACCES') return 'may not be listened on without privileges (EACCES); choose a port above 1023';
    return `cannot be listened on (${code ?? 'error'})`;
}

/**
 * listenOnLoopback for a process's `--port`: a port that cannot be listened on (taken by
 * another program, privileged) ends the process with one line naming it and exit 1.
 */
export async function listenOnPortFlag(program: string, handler: RequestListener, port: number): Promise<{ server: Server; origin: string }> {
    try {
        return await listenOnLoopback(handler, port);
    } catch (error) {
        process.stderr.write(`${program}: ${LOOPBACK_HOST}:${port} (--port) ${portProblem((error as NodeJS.ErrnoException).code)}\n`);
        process.exit(1);
    }
}

/**
 * A loopback port that was free a moment ago, for a server whose origin another
 * process must be told before the server is up (the AS's issuer, passed to the
 * RS so both can start at once). Another program may take the port in between;
 * the caller must treat EADDRINUSE as "try again with a new port".
 */
export async function freeLoopbackPort(): Promise<number> {
    const { server, origin } = await listenOnLoopback(() => {}, 0);
    await new Promise((resolve) => server.close(resolve));
    return Number(new URL(origin).port);
}

/** Prints the ready line for `origin` on stdout. */
export function announceReady(origin: string): void {
    process.stdout.write(`${READY_PREFIX}${origin}\n`);
}

/** Closes `server` and exits 0 on SIGINT/SIGTERM; open keep-alive sockets do not hold the exit. */
export function exitCleanlyOnSignals(server: Server): void {
    const stop = () => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
        setTimeout(() => process.exit(0), 1000).unref();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
}

/** Parses a ready line; returns the origin it names, or undefined for any other line. */
export function parseReadyLine(line: string): string | undefined {
    const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/.exec(line);
    return match?.[1];
}
