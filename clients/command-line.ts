/**
 * npm run clients's command line: every flag with its description and
 * default, the table its `--help` is generated from (support/usage.ts).
 */
import { defineCommandLine } from '../support/usage.ts';

export const CLIENTS = defineCommandLine({
    program: 'clients',
    synopsis: 'npm run clients [-- flags]',
    preamble:
        'The client compatibility matrix: each client library (one adapter in clients/adapters/) is driven through the story ' +
        'against demo-as + demo-rs. With no --client or --adapter it runs every adapter and rewrites the table in docs/clients.md; ' +
        'otherwise it prints the rows and leaves the doc alone.',
    flags: {
        client: { type: 'string', multiple: true, value: '<id>', description: 'run one of ours, clients/adapters/<id>.ts', shownDefault: 'every adapter' },
        adapter: { type: 'string', multiple: true, value: '<file.ts>', description: 'run your own adapter (clients/README.md says how to write one)' },
        evidence: { type: 'boolean', description: "also print each run's evidence (the servers' log lines per step) as JSON lines on stderr" },
        jobs: { type: 'string', value: '<n>', description: 'clients run at a time, 1 to 8', shownDefault: '2' }
    }
});
