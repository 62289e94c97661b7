/**
 * The compatibility matrix's cells (clients/cells.ts) derived from recorded
 * wire evidence: the fixtures are the evidence of real runs of the SDK v1 and
 * v2 adapters (`npm run clients -- --client <id> --evidence`), and the
 * variations below edit one fact of them — an /authorize line's scope, the
 * person's visit, a log line more or less — to see the cell follow the wire.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLUMNS, deriveRow, type ClientRuns } from '../../clients/cells.ts';
import { parseAsLine, type RunEvidence } from '../../clients/evidence.ts';
import { parseAdapterTags } from '../../clients/adapter-tags.ts';
import { CALLBACK_UNREACHABLE } from '../scripted-browser.ts';
import { PROJECT_ROOT } from '../../support/spawn.ts';

function recordedRuns(client: string): Map<string, RunEvidence> {
    const lines = readFileSync(join(PROJECT_ROOT, 'e2e/fixtures/clients', `${client}-runs.jsonl`), 'utf8').split('\n').filter(Boolean);
    return new Map(lines.map((line) => JSON.parse(line) as RunEvidence).map((run) => [run.scenario, run]));
}

/** The cells of `runs` by column heading. */
function row(runs: ClientRuns): Record<string, string> {
    const cells = deriveRow(runs);
    return Object.fromEntries(COLUMNS.map((column, index) => [column.heading, cells[index]!]));
}

/** A deep copy of `runs` with `edit` applied to the named run. */
function edited(runs: ClientRuns, scenario: string, edit: (run: RunEvidence) => void): Map<string, RunEvidence> {
    const copy = new Map([...runs].map(([id, run]) => [id, structuredClone(run)]));
    edit(copy.get(scenario)!);
    return copy;
}

const stepNamed = (run: RunEvidence, step: string, nth = 1) => run.steps.filter((entry) => entry.step === step)[nth - 1]!;

describe('cells from a recorded run of the SDK v2 client', () => {
    const cells = row(recordedRuns('sdk-v2'));

    it('shows the union step-up, the retry cap, iss refused both ways and the forgotten client registering again', () => {
        expect(cells).toMatchObject({
            'First authorization': '✓ asked `files:read`, consented, tools listed',
            'Redirect URI': '✓ exact match',
            'Registration auth method': '✓ `none`',
            List: '✓ listed',
            'Write (step-up)': '✓ union `files:read files:write`',
            'List after write': '✓ listed',
            'Purge (never granted)': '✓ asked the union with `files:admin`, then stopped',
            '`iss` rewritten': '✓ refused, nothing redeemed',
            '`iss` removed': '✓ refused, nothing redeemed',
            'AS restarted': '✓ refresh refused, registered again',
            'Write with `--initial-scope`': '✓ asked `files:read files:write` up front; no step-up',
            'DPoP required': '✗ token refused (`invalid_dpop_proof`): no DPoP proof'
        });
    });
});

describe('cells from a recorded run of the SDK v1 client', () => {
    const cells = row(recordedRuns('sdk-v1'));

    it('shows the refresh instead of the step-up, and the code redeemed whatever iss says', () => {
        expect(cells).toMatchObject({
            'First authorization': '✓ asked `files:read`, consented, tools listed',
            'Write (step-up)': '✗ refreshed (cannot widen, RFC 6749 §6), then stopped',
            'Purge (never granted)': '– refreshed, then stopped',
            '`iss` rewritten': '✗ redeemed the code',
            '`iss` removed': '✗ redeemed the code',
            'Write with `--initial-scope`': '✓ asked `files:read files:write` up front; no step-up',
            'Write with `held-and-required`': '✗ refreshed (cannot widen, RFC 6749 §6), then stopped'
        });
    });
});

describe('cells follow the wire, not the adapter', () => {
    const v2 = recordedRuns('sdk-v2');

    it('a client that asked the challenged scope only is a replacer, even though its write succeeded', () => {
        const runs = edited(v2, 'story', (run) => {
            const write = stepNamed(run, 'call:write-file');
            write.as = write.as.map((line) => line.replace('scope="files:read files:write"', 'scope="files:write"'));
        });
        expect(row(runs)['Write (step-up)']).toBe('✗ wrote; asked `files:write` only (replaces)');
    });

    it('a client that asked the union but whose callback nothing answered has closed its listener', () => {
        const runs = edited(v2, 'story', (run) => {
            const write = stepNamed(run, 'call:write-file');
            write.ok = true; // the adapter's word is not the cell
            write.as = write.as.filter((line) => line.startsWith('authorize'));
            write.rs = write.rs.filter((line) => line.endsWith('status=403'));
            write.visits = write.visits.map(({ callbackStatus: _status, callbackText: _text, ...visit }) => ({ ...visit, problem: CALLBACK_UNREACHABLE }));
        });
        expect(row(runs)['Write (step-up)']).toBe('✗ asked the union; callback listener closed');
    });

    it('a client that keeps asking for a scope that is never granted has no retry cap', () => {
        const runs = edited(v2, 'story', (run) => {
            const purge = stepNamed(run, 'call:purge-files');
            purge.as = [...purge.as, ...purge.as, ...purge.as, ...purge.as];
        });
        expect(row(runs)['Purge (never granted)']).toBe('✗ asked more than 3 times, never stopped (no retry cap)');
    });

    it('a client that asks, at a step-up, for less than the token it holds loses a granted scope', () => {
        const runs = edited(v2, 'story', (run) => {
            const purge = stepNamed(run, 'call:purge-files');
            purge.as = purge.as.map((line) => line.replace(/scope="[^"]*"/, 'scope="files:read"'));
        });
        expect(row(runs)['Purge (never granted)']).toBe('✗ asked `files:read`, less than the `files:read files:write` it held: loses a granted scope');
    });

    it('a client whose purge step-up found its callback listener closed never reached a retry cap', () => {
        const runs = edited(v2, 'story', (run) => {
            const purge = stepNamed(run, 'call:purge-files');
            purge.as = purge.as.filter((line) => line.startsWith('authorize'));
            purge.visits = purge.visits.map(({ callbackStatus: _status, callbackText: _text, ...visit }) => ({ ...visit, problem: CALLBACK_UNREACHABLE }));
        });
        expect(row(runs)['Purge (never granted)']).toBe('– asked the union with `files:admin`; callback listener closed, so no retry cap was reached');
    });

    it('a code redeemed after a rewritten iss is a failure, whatever the adapter reported', () => {
        const runs = edited(v2, 'iss-rewritten', (run) => {
            run.steps[0]!.as.push('token grant_type=authorization_code client_id=abc status=200 scope="files:read"');
        });
        expect(row(runs)['`iss` rewritten']).toBe('✗ redeemed the code');
    });

    it('a second browser the client opened, arriving after it quit, does not turn a refusal into a closed listener', () => {
        const runs = edited(v2, 'iss-removed', (run) => {
            const [visit] = run.steps[0]!.visits;
            run.after.visits.push({ ...visit!, callbackStatus: undefined, callbackText: undefined, problem: CALLBACK_UNREACHABLE });
        });
        expect(row(runs)['`iss` removed']).toBe('✓ refused, nothing redeemed');
        const closed = edited(runs, 'iss-removed', (run) => {
            run.steps[0]!.visits = [];
        });
        expect(row(closed)['`iss` removed']).toBe('– callback listener closed before the response came');
    });

    it('a redirect URI refused at exact match, and accepted with --loopback-any-port, says the client needs the flag', () => {
        const runs = edited(v2, 'story', (run) => {
            run.steps[0]!.as.splice(1, 0, 'authorize client_id=abc status=400 error=invalid_redirect_uri');
        });
        expect(row(runs)['Redirect URI']).toBe('✗ refused; not rerun');
        runs.set('story-any-port', structuredClone(v2.get('story')!));
        expect(row(runs)['Redirect URI']).toBe('✗ needs `--loopback-any-port`');
    });

    it('a registration whose client_secret_post was answered with none says both', () => {
        const runs = edited(v2, 'story', (run) => {
            run.steps[0]!.as[0] = run.steps[0]!.as[0]!.replace('status=201', 'status=201 token_endpoint_auth_method=client_secret_post->none');
        });
        expect(row(runs)['Registration auth method']).toBe('✓ asked `client_secret_post`, answered `none`');
    });
});

describe("the servers' log lines and the adapters' tags", () => {
    it('reads an AS request-log line, quoted scope included', () => {
        expect(parseAsLine('token grant_type=refresh_token client_id=- status=400 error=invalid_client')).toEqual({ kind: 'token', status: 400, error: 'invalid_client', grantType: 'refresh_token' });
        expect(parseAsLine('authorize client_id=c1 status=200 scope="files:read files:write"')).toEqual({ kind: 'authorize', status: 200, scope: 'files:read files:write', clientId: 'c1' });
        expect(parseAsLine('listening on http://127.0.0.1:1')).toBeUndefined();
    });

    it('takes exact pins only, and one display name', () => {
        const adapter = (tags: string) => `/**\n * A host.\n *\n${tags}\n */\n`;
        expect(parseAdapterTags('x/lib.ts', adapter(' * @client Lib\n * @packages lib@1.2.3 @s/other@0.1.0-beta.2\n * @node node@22'))).toEqual({
            id: 'lib',
            client: 'Lib',
            packages: ['lib@1.2.3', '@s/other@0.1.0-beta.2'],
            node: 'node@22'
        });
        expect(() => parseAdapterTags('x/lib.ts', adapter(' * @client Lib\n * @packages lib@^1.2.3'))).toThrow('exact versions');
        expect(() => parseAdapterTags('x/lib.ts', adapter(' * @packages lib@1.2.3'))).toThrow('@client');
    });
});
