/**
 * Debian's redis-server as the RS instances' shared DPoP replay store, a child
 * process on 127.0.0.1 with its configuration in a temporary folder. It keeps
 * nothing on disk (no snapshots, no append-only file), so a restart loses
 * every `jti` — the case demo-rs/redis-replay-store.ts must survive — and it
 * never evicts a key to make room (`noeviction`): a full Redis refuses the
 * write, and the RS refuses the proof, rather than forgetting another.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { MEMORY_SINCE_KEY } from '../../demo-rs/redis-replay-store.ts';
import { freeLoopbackPort, LOOPBACK_HOST } from '../../support/serve.ts';
import { onSomeFreePort, startChildServer, type ChildServer } from './child.ts';

export interface RunningRedis {
    port: number;
    /** `redis://127.0.0.1:<port>`, for `--replay-store`. */
    url: string;
    /** Stops the server (its data goes with it). */
    stop(): Promise<void>;
    /** Starts it again on the same port, empty. */
    restart(): Promise<void>;
    /** Stops (SIGSTOP) or continues (SIGCONT) the process: it still takes connections, but answers nothing meanwhile. */
    freeze(): void;
    thaw(): void;
}

function configFor(dir: string, port: number): string {
    return [
        `bind ${LOOPBACK_HOST}`,
        `port ${port}`,
        'daemonize no',
        `dir ${dir}`,
        'save ""',
        'appendonly no',
        'maxmemory-policy noeviction',
        'loglevel warning',
        ''
    ].join('\n');
}

/** Writes the configuration for `port` into `dir` and starts redis-server with it. */
function startOn(dir: string, port: number): Promise<ChildServer> {
    const config = join(dir, `redis-${port}.conf`);
    writeFileSync(config, configFor(dir, port));
    return startChildServer('redis-server', [config], port);
}

/**
 * A new empty Redis has accepted no proof, so it vouches for every proof from the start: MEMORY_SINCE_KEY = 0
 * (demo-rs/redis-replay-store.ts). Only whoever knows the Redis is new may say so; a restart does not.
 */
async function declareEmpty(url: string): Promise<void> {
    const client = createClient({ url });
    await client.connect();
    await client.set(MEMORY_SINCE_KEY, '0');
    await client.close();
}

/** redis-server on a port chosen now (retried when another program takes it first), its files in `dir`. */
export async function startRedis(dir: string): Promise<RunningRedis> {
    let server: ChildServer | undefined;
    const port = await onSomeFreePort(async (candidate) => {
        server = await startOn(dir, candidate);
        return candidate;
    }, freeLoopbackPort);
    const url = `redis://${LOOPBACK_HOST}:${port}`;
    await declareEmpty(url);
    return {
        port,
        url,
        stop: async () => {
            await server?.stop();
        },
        restart: async () => {
            await server?.stop();
            server = await startOn(dir, port);
        },
        freeze: () => void server?.child.kill('SIGSTOP'),
        thaw: () => void server?.child.kill('SIGCONT')
    };
}
