/**
 * `npm run demo`: the whole scoped-tools story in one command.
 *
 * Starts the authorization server and the resource server on free loopback
 * ports, waits for their ready lines, runs `client story` against them, stops
 * both, and exits with the story's status. Its flags (scripts/command-lines.ts,
 * `--help`) are `--as` and the client's story flags, which go to the client
 * (e.g. `npm run demo -- --interactive`). `--as oidc-provider` and `--as
 * better-auth` put a real authorization server in demo-as's place
 * (scripts/demo-real-as.ts); `--as sdk-router` one built on the SDK's own
 * router (scripts/demo-sdk-router.ts).
 *
 * The AS and the RS start side by side: the RS needs only the AS's origin on
 * its command line (it fetches the AS's keys on first use), and the AS only
 * the RS's resource URL (`--resource`, the one resource it issues tokens
 * for), so both ports are picked first and both processes load at once. The
 * client starts with them too, as `client story --server -`: it loads the SDK
 * while they load, and reads the RS URL from its stdin, written once both
 * listen. Where Node has a module compile cache (≥ 22.1) all three use it
 * (docs/benchmarks.md).
 */
import { usageError } from '../support/args.ts';
import { spawnTs, startServer, exited, type RunningServer } from '../support/spawn.ts';
import { compileCacheEnv } from '../support/compile-cache.ts';
import { colours } from '../support/output.ts';
import { freeLoopbackPort, LOOPBACK_HOST } from '../support/serve.ts';
import { clientArgsFor, startBetterAuthServer, startOidcProvider, takeAsFlag, type AuthorizationServerChoice } from './demo-real-as.ts';
import { SDK_ROUTER_NOTE, startSdkRouter } from './demo-sdk-router.ts';
import { DEMO } from './command-lines.ts';
import { parseCommandLineOrHelp } from '../support/usage.ts';

const paint = colours();

/** Another program may take a picked port before its server binds it; then both start again on new ones. */
const START_ATTEMPTS = 3;

/** Two distinct free loopback ports. */
async function twoFreePorts(): Promise<[string, string]> {
    const first = await freeLoopbackPort();
    let second = await freeLoopbackPort();
    while (second === first) second = await freeLoopbackPort();
    return [String(first), String(second)];
}

/** Starts the AS and the RS on picked ports, each told the other's URL, concurrently; on failure nothing is left running. */

const env = compileCacheEnv();

async function startServers(started: RunningServer[]): Promise<{ as: RunningServer; rs: RunningServer }> {
    for (let attempt = 1; ; attempt++) {
        const [asPort, rsPort] = await twoFreePorts();
        const outcomes = await Promise.allSettled([
            startServer('demo-as/main.ts', ['--port', asPort, '--resource', `http://${LOOPBACK_HOST}:${rsPort}/mcp`], { env }),
            startServer('demo-rs/main.ts', ['--port', rsPort, '--issuer', `http://${LOOPBACK_HOST}:${asPort}`], { env })
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

/** The chosen authorization server and demo-rs trusting it; notes what the user should know about the choice. */
async function startAuthorizationServer(which: AuthorizationServerChoice, started: RunningServer[]): Promise<{ issuer: string; rs: RunningServer }> {
    const note = (line: string) => process.stdout.write(paint.dim(`${line}\n`));
    switch (which) {
        case 'oidc-provider':
            return startOidcProvider(started, note);
        case 'better-auth':
            return startBetterAuthServer(started, note);
        case 'sdk-router':
            note(SDK_ROUTER_NOTE);
            return startSdkRouter(started, env);
        case 'demo-as':
            return startServers(started).then(({ as, rs }) => ({ issuer: as.origin, rs }));
    }
}

async function main(): Promise<number> {
    const started: RunningServer[] = [];
    const stopAll = () => Promise.all(started.map((server) => server.stop()));
    process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
    const argv = process.argv.slice(2);
    // The demo's own table has --as and the client's story flags: a wrong flag is the demo's error, not the client's.
    const { positionals } = parseCommandLineOrHelp(DEMO, argv);
    if (positionals.length > 0) usageError(DEMO.program, `takes no arguments, only flags; see --help`);
    const { as: which, rest } = takeAsFlag(argv);
    const client = spawnTs('demo-client/main.ts', ['story', '--server', '-', ...clientArgsFor(which, rest)], { stdio: ['pipe', 'inherit', 'inherit'], env });
    // A client that already gave up (a bad flag) closed its stdin; its exit status tells the story.
    client.stdin?.on('error', () => {});
    try {
        const { issuer, rs } = await startAuthorizationServer(which, started);
        if (client.exitCode !== null) return client.exitCode;
        process.stdout.write(paint.dim(`authorization server  ${issuer}\nresource server       ${rs.origin}/mcp\n\n`));
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
