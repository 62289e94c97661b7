/**
 * Load: 50 headless clients run the whole story at the same time — register,
 * consent, step-up to files:write, the retry cap on files:admin — against one
 * real AS and one real RS on 127.0.0.1.
 *
 * Every one must succeed, and no token may cross clients: each client's
 * tool calls are attributed, in the RS's `call tool=… client_id=… status=…`
 * lines (the client_id comes from the verified access token), to the
 * client_id that client registered — exactly its own six calls, in its order
 * — and the AS issued each client its own three tokens. This asserts
 * behaviour, not speed; `npm run bench` measures speed.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, type FinishedRun } from '../support/spawn.ts';
import { eventually, registeredClientId } from './client-harness.ts';
import { startStack, type Stack } from './stack.ts';

const CLIENTS = 50;
/**
 * A client still running after this is killed, and counts as failed. Generous: at nice 19 the fifty
 * clients get only what the test files beside them leave of two cores, and each now signs DPoP proofs.
 */
const CLIENT_TIMEOUT_MS = 300_000;

/** The RS calls one story makes, in order: list, write (403, step-up, 200), list, purge (403, step-up, 403). */
const STORY_CALLS = [
    ['list-files', 200],
    ['write-file', 403],
    ['write-file', 200],
    ['list-files', 200],
    ['purge-files', 403],
    ['purge-files', 403]
] as const;

/** The scope of each token the AS issues in one story: the login, then the two step-ups. */
const STORY_GRANTS = ['files:read', 'files:read files:write', 'files:read files:write'];

let stack: Stack;
let runs: FinishedRun[];

beforeAll(async () => {
    stack = await startStack();
    // Each story has its own temporary token store (the story's default), so nothing is shared but the servers.
    runs = await Promise.all(Array.from({ length: CLIENTS }, () => runStoryNicely(stack.mcpUrl)));
}, CLIENT_TIMEOUT_MS + 30_000);

afterAll(async () => {
    await stack?.stop();
});

/**
 * `demo-client story --headless` at the lowest CPU priority (nice 19): fifty client
 * start-ups at once would otherwise take both cores for half a minute and
 * starve the test files that run alongside this one.
 */
function runStoryNicely(mcpUrl: string): Promise<FinishedRun> {
    const client = resolve(PROJECT_ROOT, 'demo-client/main.ts');
    const child = spawn('nice', ['-n', '19', process.execPath, '--import', 'tsx', client, 'story', '--server', mcpUrl, '--headless'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
    return new Promise((resolveRun) => {
        child.once('close', (code) => {
            clearTimeout(timer);
            resolveRun({ code, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() });
        });
    });
}


describe(`${CLIENTS} concurrent stories against one AS and one RS`, () => {
    it('all succeed', () => {
        const failed = runs.filter((run) => run.code !== 0 || run.stderr !== '' || !run.stdout.includes('The story went as expected.'));
        expect(failed.map((run) => `exit ${run.code}: ${run.stderr}`)).toEqual([]);
    });

    it('each client registered once, with its own client_id', () => {
        expect(runs.map((run) => run.stdout.match(/Registration: client_id/g)?.length)).toEqual(Array(CLIENTS).fill(1));
        expect(new Set(runs.map((run) => registeredClientId(run.stdout))).size).toBe(CLIENTS);
    });

    it("every tool call the RS served is attributed to the client that made it, in that client's order", async () => {
        const expected = STORY_CALLS.map(([tool, status]) => `${tool} ${status}`);
        await eventually(() => expect(stack.rs.stdout.filter((line) => line.startsWith('call '))).toHaveLength(CLIENTS * STORY_CALLS.length));
        const callsById = new Map<string, string[]>();
        for (const line of stack.rs.stdout) {
            const match = /^call tool=(\S+) client_id=(\S+) status=(\d+)$/.exec(line);
            if (!match) continue;
            const [, tool, clientId, status] = match;
            callsById.set(clientId!, [...(callsById.get(clientId!) ?? []), `${tool} ${status}`]);
        }
        expect(new Set(callsById.keys())).toEqual(new Set(runs.map((run) => registeredClientId(run.stdout))));
        for (const calls of callsById.values()) expect(calls).toEqual(expected);
    });

    it('the AS issued each client its own three tokens: the login and two step-ups, no refresh', async () => {
        await eventually(() => expect(stack.as.stdout.filter((line) => line.startsWith('token '))).toHaveLength(CLIENTS * STORY_GRANTS.length));
        for (const clientId of runs.map((run) => registeredClientId(run.stdout))) {
            const grants = stack.as.stdout.filter((line) => line.startsWith('token ') && line.includes(` client_id=${clientId} `));
            expect(grants).toEqual(STORY_GRANTS.map((scope) => `token grant_type=authorization_code client_id=${clientId} status=200 scope="${scope}"`));
        }
    });
});
