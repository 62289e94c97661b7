/**
 * `npm run demo`: the whole scoped-tools story in one command.
 *
 * Starts the authorization server and the resource server on free loopback
 * ports, waits for their ready lines, runs `client story` against them, stops
 * both, and exits with the story's status. Extra arguments go to the client
 * (e.g. `npm run demo -- --interactive`).
 *
 * The AS and the RS start side by side: the RS needs only the AS's origin on
 * its command line (it fetches the AS's keys on first use), so the AS's port
 * is picked first and both processes load at once. The client starts with
 * them too, as `client story --server -`: it loads the SDK while they load,
 * and reads the RS URL from its stdin, written once both listen. Where Node
 * has a module compile cache (≥ 22.1) all three use it (docs/benchmarks.md).
 */
import { spawnTs, startServer, exited, type RunningServer } from '../support/spawn.ts';
import { compileCacheEnv } from '../support/compile-cache.ts';
import { colours } from '../support/output.ts';
import { freeLoopbackPort, LOOPBACK_HOST } from '../support/serve.ts';

const paint = colours();

/** Another program may take the picked port before the AS binds it; then both start again on a new one. */
const START_ATTEMPTS = 3;

const env = compileCacheEnv();

/** Starts the AS on a picked port and the RS pointed at it, concurrently; on failure nothing is left running. */
async function startServers(started: RunningServer[]): Promise<{ as: RunningServer; rs: RunningServer }> {
    for (let attempt = 1; ; attempt++) {
        const port = String(await freeLoopbackPort());
        const outcomes = await Promise.allSettled([
            startServer('demo-as/main.ts', ['--port', port], { env }),
            startServer('demo-rs/main.ts', ['--port', '0', '--issuer', `http://${LOOPBACK_HOST}:${port}`], { env })
        ]);
        const [as, rs] = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined));
        if (as && rs) {
            started.push(as, rs);
            return { as, rs };
        }
        await Promise.all([as?.stop(), rs?.stop()]);
        const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        if (attempt === START_ATTEMPTS) throw failure?.reason;
    }
}

async function main(): Promise<number> {
    const started: RunningServer[] = [];
    const stopAll = () => Promise.all(started.map((server) => server.stop()));
    process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
    const client = spawnTs('demo-client/main.ts', ['story', '--server', '-', ...process.argv.slice(2)], { stdio: ['pipe', 'inherit', 'inherit'], env });
    // A client that already gave up (a bad flag) closed its stdin; its exit status tells the story.
    client.stdin?.on('error', () => {});
    try {
        const { as, rs } = await startServers(started);
        if (client.exitCode !== null) return client.exitCode;
        process.stdout.write(paint.dim(`authorization server  ${as.origin}\nresource server       ${rs.origin}/mcp\n\n`));
        client.stdin?.end(`${rs.origin}/mcp\n`);
        return (await exited(client)) ?? 1;
    } catch (error) {
        client.kill();
        process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    } finally {
        await stopAll();
    }
}

process.exit(await main());
