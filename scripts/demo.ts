/**
 * `npm run demo`: the whole scoped-tools story in one command.
 *
 * Starts the authorization server and the resource server on free loopback
 * ports, waits for their ready lines, runs `client story` against them, stops
 * both, and exits with the story's status. Extra arguments go to the client
 * (e.g. `npm run demo -- --interactive`).
 */
import { spawnTs, startServer, exited, type RunningServer } from '../support/spawn.ts';
import { colours } from '../support/output.ts';

const paint = colours();

async function main(): Promise<number> {
    const started: RunningServer[] = [];
    const stopAll = () => Promise.all(started.map((server) => server.stop()));
    process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
    try {
        const as = await startServer('demo-as/main.ts', ['--port', '0']);
        started.push(as);
        const rs = await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin]);
        started.push(rs);
        process.stdout.write(paint.dim(`authorization server  ${as.origin}\nresource server       ${rs.origin}/mcp\n\n`));
        const client = spawnTs('demo-client/main.ts', ['story', '--server', `${rs.origin}/mcp`, ...process.argv.slice(2)], {
            stdio: ['inherit', 'inherit', 'inherit']
        });
        return (await exited(client)) ?? 1;
    } catch (error) {
        process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    } finally {
        await stopAll();
    }
}

process.exit(await main());
