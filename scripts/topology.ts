/**
 * `npm run topology`: the production topology on this machine — nginx
 * terminating TLS under a public https URL, two demo-rs instances behind it
 * sharing one Redis as their DPoP replay store, and demo-as
 * (scripts/topology/start.ts). It prints where everything is and the command
 * that runs the client against the public URL, then runs until Ctrl-C.
 * `npm run topology -- --story` runs the client's story through the proxy
 * once instead, and exits with the client's status.
 *
 * Needs nginx, redis-server and openssl on the PATH (Debian: apt-get install
 * nginx redis-server openssl); none runs as a system service.
 */
import { usageError } from '../support/args.ts';
import { spawnTs, exited } from '../support/spawn.ts';
import { parseCommandLineOrHelp } from '../support/usage.ts';
import { TOPOLOGY } from './command-lines.ts';
import { startTopology, type Topology } from './topology/start.ts';

const PROGRAM = TOPOLOGY.program;

function describe(topology: Topology): string {
    return [
        `public MCP endpoint   ${topology.publicUrl}  (nginx, TLS from a test CA)`,
        ...topology.rs.map((instance, index) => `resource server ${index + 1}     ${instance.origin}/mcp`),
        `replay store          ${topology.redis.url}`,
        `authorization server  ${topology.as.origin}`,
        `test CA               ${topology.caFile}`,
        `configs and logs      ${topology.dir}`,
        '',
        'run the client through the proxy:',
        `  NODE_EXTRA_CA_CERTS=${topology.caFile} npm run -s client -- story --server ${topology.publicUrl}`,
        ''
    ].join('\n');
}

/** The client's story against the public URL, trusting the test CA; its exit status. */
async function runStory(topology: Topology): Promise<number> {
    const client = spawnTs('demo-client/main.ts', ['story', '--server', topology.publicUrl, '--headless'], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { NODE_EXTRA_CA_CERTS: topology.caFile }
    });
    return (await exited(client)) ?? 1;
}

async function main(): Promise<number> {
    const { values, positionals } = parseCommandLineOrHelp(TOPOLOGY);
    if (positionals.length > 0) usageError(PROGRAM, 'takes no arguments, only flags; see --help');
    let topology: Topology;
    try {
        topology = await startTopology();
    } catch (error) {
        process.stderr.write(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
    }
    process.stdout.write(describe(topology));
    if (values.story) {
        const status = await runStory(topology);
        await topology.stop();
        return status;
    }
    await new Promise((resolve) => ['SIGINT', 'SIGTERM'].forEach((signal) => process.once(signal, resolve)));
    await topology.stop();
    return 0;
}

process.exit(await main());
