/**
 * The command lines of the npm scripts that take flags: each script parses its
 * flags with its table here, and `--help` is generated from the same table
 * (support/usage.ts). They live apart from the scripts, which start servers as
 * soon as they load, so that a test can read every table without running one.
 */
import { CLIENTS } from '../clients/command-line.ts';
import { CLIENT_FLAGS } from '../demo-client/options.ts';
import { defineCommandLine } from '../support/usage.ts';
import { AUTHORIZATION_SERVERS } from './demo-real-as.ts';

/** The client's flags that `story` takes from the demo: all but --server, which the demo supplies, and --refresh, which `story` refuses. */
const { server: _suppliedByTheDemo, refresh: _notForStory, ...STORY_FLAGS } = CLIENT_FLAGS;

export const DEMO = defineCommandLine({
    program: 'demo',
    synopsis: 'npm run demo [-- flags]',
    preamble:
        'The whole scoped-tools story in one command: starts an authorization server and the resource server on free ' +
        "loopback ports, runs the client's story against them, and stops both. Every flag but --as goes to the client.",
    flags: {
        as: {
            type: 'string',
            value: AUTHORIZATION_SERVERS.join('|'),
            description: "the authorization server: the suite's own, a real one (oidc-provider, better-auth; fetched on first use), or one built on the SDK's router",
            shownDefault: 'demo-as'
        },
        ...STORY_FLAGS
    }
});

export const MIX_UP = defineCommandLine({
    program: 'mix-up-attack',
    synopsis: 'npm run mix-up [-- --trace <file>]',
    preamble: "A mix-up attack against the demo client (an attacker's AS answers with a rewritten iss); it exits 0 when the client refuses it.",
    flags: {
        trace: { type: 'string', value: '<file>', description: "write the client's HTTP exchanges to <file> as a Markdown sequence diagram" }
    }
});

export const TOPOLOGY = defineCommandLine({
    program: 'topology',
    synopsis: 'npm run topology [-- --story]',
    preamble: 'The production topology on this machine: nginx with TLS, two demo-rs behind it sharing a Redis, and demo-as; runs until Ctrl-C.',
    flags: {
        story: { type: 'boolean', description: "run the client's story through the proxy once, then stop and exit with its status" }
    }
});

export const BENCH = defineCommandLine({
    program: 'bench',
    synopsis: 'npm run bench [-- flags]',
    preamble: 'How fast the scoped-tools story is: medians over rounds, as docs/benchmarks.md describes. It reports and asserts nothing.',
    flags: {
        json: { type: 'boolean', description: 'print one JSON object instead of the table' },
        rounds: { type: 'string', value: '<n>', description: 'repetitions each figure is the median of', shownDefault: '5' },
        duration: { type: 'string', value: '<ms>', description: 'length of each throughput measurement, at least 200', shownDefault: '2000' }
    }
});

export const BENCH_TOPOLOGY = defineCommandLine({
    program: 'bench-topology',
    synopsis: 'npx tsx scripts/bench-topology.ts [flags]',
    preamble: "The production topology's part of npm run bench alone, as one JSON object. Needs nginx, redis-server and openssl on the PATH.",
    flags: {
        rounds: { type: 'string', value: '<n>', description: 'repetitions each figure is the median of', shownDefault: '5' },
        duration: { type: 'string', value: '<ms>', description: 'length of each measurement window, at least 200', shownDefault: '1000' }
    }
});

export const COMPARE = defineCommandLine({
    program: 'compare',
    synopsis: 'npm run compare [-- --json]',
    preamble: 'The same story on the v1 and the v2 SDK client against the same AS and RS, side by side.',
    flags: {
        json: { type: 'boolean', description: 'print the facts each client observed and the table rows as JSON' }
    }
});

export const CONFORMANCE = defineCommandLine({
    program: 'conformance',
    synopsis: 'npm run conformance [-- --scenario <name>]',
    preamble: "The official MCP conformance suite against the demo client and the demo authorization server (fetched on first use).",
    flags: {
        scenario: { type: 'string', value: '<name>', description: 'run only this scenario (in each set that has it)', shownDefault: 'every scenario' }
    }
});

/** Each npm script's table, by the script's name in package.json; e2e/help.test.ts checks every script started with tsx has one. */
export const SCRIPT_COMMAND_LINES = {
    demo: DEMO,
    'mix-up': MIX_UP,
    topology: TOPOLOGY,
    bench: BENCH,
    compare: COMPARE,
    conformance: CONFORMANCE,
    clients: CLIENTS
} as const;

/** The scripts the docs run with tsx directly, by their path. */
export const STANDALONE_COMMAND_LINES = {
    'scripts/bench-topology.ts': BENCH_TOPOLOGY
} as const;
