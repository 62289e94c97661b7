/**
 * The production topology on one machine, for `npm run topology` and the
 * topology tests: nginx terminating TLS on 127.0.0.1 under a public URL
 * (`https://127.0.0.1:<port>/mcp`, a certificate from a test CA made now),
 * proxying to two demo-rs instances that both answer for that URL
 * (`--resource-url`) and share one Redis as their DPoP replay store
 * (`--replay-store`), and demo-as as the authorization server for that
 * resource. Every server is a child process on a port chosen at run time, its
 * files in one temporary folder; stop() ends them all and removes the folder.
 * The benchmark starts it with one instance as well, to compare the two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, LOOPBACK_HOST } from '../../support/serve.ts';
import { startServer, type RunningServer } from '../../support/spawn.ts';
import { makeTestCertificate, TEST_SERVER_NAME, type TestCertificate } from './certificate.ts';
import type { ChildServer } from './child.ts';
import { startNginx } from './nginx.ts';
import { startRedis, type RunningRedis } from './redis-server.ts';

export const RS_INSTANCES = 2;

export interface TopologyOptions {
    /** How many demo-rs instances nginx spreads calls over (default RS_INSTANCES). */
    instances?: number;
}

/** An instance's command line: the public URL as its resource, the shared Redis as its replay store when given. */
export function rsArguments(issuer: string, publicUrl: string, replayStoreUrl?: string): string[] {
    return ['--port', '0', '--issuer', issuer, '--resource-url', publicUrl, ...(replayStoreUrl ? ['--replay-store', replayStoreUrl] : [])];
}

export interface Topology {
    /** The MCP endpoint as clients know it: `https://127.0.0.1:<nginx port>/mcp`. */
    publicUrl: string;
    /** The test CA (PEM) clients trust, e.g. through NODE_EXTRA_CA_CERTS. */
    caFile: string;
    as: RunningServer;
    rs: RunningServer[];
    redis: RunningRedis;
    nginx: ChildServer;
    /** The temporary folder with every config, certificate and log. */
    dir: string;
    stop(): Promise<void>;
}

/** Another program may take a port chosen for nginx before it binds it; then everything starts again on new ones. */
const START_ATTEMPTS = 3;

export async function startTopology(options: TopologyOptions = {}): Promise<Topology> {
    const instances = options.instances ?? RS_INSTANCES;
    for (let attempt = 1; ; attempt++) {
        const dir = mkdtempSync(join(tmpdir(), 'scoped-tools-topology-'));
        const started: { stop(): Promise<unknown> }[] = [];
        try {
            return await startIn(dir, started, instances);
        } catch (error) {
            await Promise.all(started.map((server) => server.stop()));
            rmSync(dir, { recursive: true, force: true });
            if (attempt === START_ATTEMPTS) throw error;
        }
    }
}

async function startIn(dir: string, started: { stop(): Promise<unknown> }[], instances: number): Promise<Topology> {
    const certificate = makeTestCertificate(dir);
    const port = await freeLoopbackPort();
    const publicUrl = `https://${LOOPBACK_HOST}:${port}/mcp`;
    const track = <T extends { stop(): Promise<unknown> }>(server: T): T => (started.push(server), server);

    const [as, redis] = await Promise.all([startServer('demo-as/main.ts', ['--port', '0', '--resource', publicUrl]).then(track), startRedis(dir).then(track)]);
    const rsArgs = rsArguments(as.origin, publicUrl, redis.url);
    const rs = await Promise.all(Array.from({ length: instances }, () => startServer('demo-rs/main.ts', rsArgs).then(track)));
    const nginx = track(await startNginx(dir, proxySettings(port, certificate, rs)));
    return {
        publicUrl,
        caFile: certificate.caFile,
        as,
        rs,
        redis,
        nginx,
        dir,
        stop: async () => {
            await nginx.stop();
            await Promise.all([...rs.map((instance) => instance.stop()), as.stop(), redis.stop()]);
            rmSync(dir, { recursive: true, force: true });
        }
    };
}

function proxySettings(port: number, certificate: TestCertificate, rs: RunningServer[]) {
    return { port, serverName: `${LOOPBACK_HOST} ${TEST_SERVER_NAME}`, certificate, upstreams: rs.map((instance) => new URL(instance.origin).host) };
}
