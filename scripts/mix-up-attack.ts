/**
 * `npm run mix-up`: the mix-up attack (RFC 9207), staged on 127.0.0.1 and refused.
 *
 *   npm run mix-up [-- --trace <file>]
 *
 * A resource's metadata points the client at an attacker's authorization
 * server. Its metadata is self-consistent, so discovery and registration go
 * through; but its authorization response names another issuer in `iss` — as
 * when an attacker relays the user to an honest AS to steal the code — and
 * carries attacker text in `error_description`. The real client
 * (demo-client/main.ts, headless) must refuse in one line, redeem nothing (no
 * token request reaches the attacker), and print none of the attacker's text.
 *
 * The attacker and the resource are the test fixtures e2e/fixtures/hostile-as.ts
 * and hostile-rs.ts, started as processes of their own: this script stages the
 * suite's pieces against each other, so it is a script of this repository, not an example to copy.
 * Exit 0 means the client refused correctly. `--trace <file>` is handed to the
 * client, which draws the refused exchange there (docs/tutorial.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommandLineOrHelp } from '../support/usage.ts';
import { MIX_UP } from './command-lines.ts';
import { runToEnd, startServer, type RunningServer } from '../support/spawn.ts';

const ATTACKER_TEXT = 'Your session expired. Sign in again at https://attacker.example/login';

const indent = (text: string) =>
    text
        .split('\n')
        .filter(Boolean)
        .map((line) => `    | ${line}`)
        .join('\n');

const { values } = parseCommandLineOrHelp(MIX_UP);
const traceArgs = values.trace ? ['--trace', resolve(values.trace)] : [];

async function main(): Promise<number> {
    const started: RunningServer[] = [];
    const store = mkdtempSync(join(tmpdir(), 'mix-up-'));
    try {
        const attacker = await startServer('e2e/fixtures/hostile-as.ts', ['--port', '0', '--iss', 'wrong', '--attacker-text', ATTACKER_TEXT]);
        started.push(attacker);
        const resource = await startServer('e2e/fixtures/hostile-rs.ts', ['--port', '0', '--issuer', attacker.origin]);
        started.push(resource);
        console.log(`1. An attacker's authorization server runs at ${attacker.origin}.`);
        console.log(`   Its authorization response says iss=https://honest-as.example and error_description="${ATTACKER_TEXT}".`);
        console.log(`2. A resource at ${resource.origin}/mcp names that server in its protected-resource metadata.`);
        console.log('3. The client calls list-files there (headless, fresh token store):\n');

        const run = await runToEnd('demo-client/main.ts', ['call', 'list-files', '--server', `${resource.origin}/mcp`, '--headless', '--store', join(store, 'client.json'), ...traceArgs], {
            env: { NO_COLOR: '1' }
        });
        console.log(indent(`${run.stdout}\n${run.stderr}`));

        const tokenRequests = attacker.stdout.filter((line) => line.startsWith('token ')).length;
        const leaked = `${run.stdout}\n${run.stderr}`.includes('attacker.example') || `${run.stdout}\n${run.stderr}`.includes('session expired');
        const refused = run.code !== 0 && run.stderr.includes('refused the authorization response');
        console.log(`\n4. Client exit code: ${run.code}; token requests that reached the attacker: ${tokenRequests}; attacker text in the client's output: ${leaked ? 'yes' : 'no'}.`);
        const correct = refused && tokenRequests === 0 && !leaked;
        console.log(correct ? '   The client refused the mix-up correctly ✓' : '   ✗ The client did NOT refuse the mix-up correctly.');
        return correct ? 0 : 1;
    } finally {
        await Promise.all(started.map((server) => server.stop()));
        rmSync(store, { recursive: true, force: true });
    }
}

process.exit(await main());
