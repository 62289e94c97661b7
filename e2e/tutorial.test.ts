/**
 * docs/tutorial.md stays true: every block marked `sh runnable` is run, in
 * order, against a freshly started AS and RS on free ports, and what it
 * prints (and, where the tutorial shows them, the AS and RS log lines it
 * caused) must equal the tutorial's `text output` / `as-log` / `rs-log`
 * block after normalisation. Changing the demo's output without updating
 * the tutorial fails here; so does a tutorial command that stops working.
 *
 * A reader who takes longer than the access-token lifetime between step 3
 * (which gets the token) and step 4 (whose commands present the stored token
 * themselves) is played too: the AS issues tokens for a few seconds, and the
 * walk pauses longer than that before step 4 — the pause is the behaviour
 * under test, not a wait for something to happen.
 *
 * Commands run as on a machine without a display (`CI=1`: the client
 * approves the consent page itself) with a temporary XDG_STATE_HOME, so the
 * reader's default token store is a fresh temporary file.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../support/serve.ts';
import { PROJECT_ROOT, startServer, type RunningServer } from '../support/spawn.ts';
import { tempDir } from './stack.ts';
import { mapPorts, normalise, parseServerCommand, parseTutorial, SERVER_ENTRIES, toTestCommand, type Expectation, type Runnable, type ServerName } from './tutorial-runner.ts';

const TUTORIAL = 'docs/tutorial.md';

interface Walkthrough {
    /** Tutorial port → real port. */
    ports: Map<number, number>;
    /** Flags added to a server's command line, by server. */
    extraArgs?: Partial<Record<ServerName, string[]>>;
    /** Applied to each expected text before comparing (what the extra flags change on purpose). */
    expected?: (text: string) => string;
    servers: Partial<Record<ServerName, RunningServer>>;
    state: { path: string; remove(): void };
}

let walkthrough: Walkthrough | undefined;

afterEach(async () => {
    if (!walkthrough) return;
    await Promise.all(Object.values(walkthrough.servers).map((server) => server.stop()));
    walkthrough.state.remove();
    walkthrough = undefined;
});

const where = (runnable: Runnable, expectation?: Expectation) =>
    `${TUTORIAL}:${expectation?.line ?? runnable.line} (${expectation?.kind ?? 'command'} of \`${runnable.command.split('\n')[0]!.slice(0, 80)}\`)`;

/** Runs one command through bash from the project root, stdout and stderr interleaved as a terminal shows them. */
function runShell(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
    const child = spawn('bash', ['-c', `exec 2>&1\n${command}`], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    return new Promise((resolveRun) =>
        child.once('close', (code) => {
            clearTimeout(timer);
            resolveRun({ code, output });
        })
    );
}

/** Waits until a server's stdout has been quiet for a moment: its log lines reach us through a pipe. */
async function settled(server: RunningServer): Promise<void> {
    let seen = -1;
    while (seen !== server.stdout.length) {
        seen = server.stdout.length;
        await new Promise((wait) => setTimeout(wait, 75));
    }
}

function compare(session: Walkthrough, runnable: Runnable, expectation: Expectation, actual: string): void {
    const fixed = new Set(session.ports.keys());
    const back = new Map([...session.ports].map(([tutorial, real]) => [real, tutorial]));
    const expected = session.expected?.(expectation.text) ?? expectation.text;
    expect(normalise(mapPorts(actual, back), fixed), where(runnable, expectation)).toBe(normalise(expected, fixed));
}

/**
 * A server named before it starts (the AS's `--resource` is the RS's URL) gets
 * its real port now; it is then started on that port instead of `--port 0`.
 */
async function reservePortsNamedIn(session: Walkthrough, args: string[], ownPort: number): Promise<void> {
    for (const [, port] of args.join(' ').matchAll(/127\.0\.0\.1:(\d+)/g)) {
        const tutorialPort = Number(port);
        if (tutorialPort !== ownPort && !session.ports.has(tutorialPort)) session.ports.set(tutorialPort, await freeLoopbackPort());
    }
}

async function startTutorialServer(session: Walkthrough, runnable: Runnable): Promise<void> {
    const { name, port, args } = parseServerCommand(runnable.command);
    await reservePortsNamedIn(session, args, port);
    const testArgs = args.map((arg, at) => (args[at - 1] === '--port' ? String(session.ports.get(port) ?? 0) : mapPorts(arg, session.ports)));
    testArgs.push(...(session.extraArgs?.[name] ?? []));
    const server = await startServer(SERVER_ENTRIES[name], testArgs, { env: { NO_COLOR: '1' } });
    session.servers[name] = server;
    session.ports.set(port, Number(new URL(server.origin).port));
    for (const expectation of runnable.expectations) compare(session, runnable, expectation, server.stdout.join('\n'));
}

async function runTutorialCommand(session: Walkthrough, runnable: Runnable): Promise<void> {
    const logStart = { as: session.servers.as?.stdout.length ?? 0, rs: session.servers.rs?.stdout.length ?? 0 };
    const result = await runShell(toTestCommand(runnable.command, session.ports), {
        ...process.env,
        CI: '1',
        NO_COLOR: '1',
        XDG_STATE_HOME: session.state.path,
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`
    });
    for (const expectation of runnable.expectations) {
        if (expectation.kind === 'output') {
            compare(session, runnable, expectation, result.output);
            expect(result.code, `${where(runnable, expectation)}: exit status`).toBe(expectation.exit);
            continue;
        }
        const server = session.servers[expectation.kind === 'as-log' ? 'as' : 'rs'];
        if (!server) throw new Error(`${where(runnable, expectation)}: that server was not started by the tutorial`);
        await settled(server);
        compare(session, runnable, expectation, server.stdout.slice(logStart[expectation.kind === 'as-log' ? 'as' : 'rs']).join('\n'));
    }
}

/** A short access-token lifetime for the slow reader, and the pause that outlasts it. */
const SHORT_TTL_SECONDS = 10;
const READER_PAUSE_MS = (SHORT_TTL_SECONDS + 1) * 1000;

/** The index of the first runnable block below the heading that starts with `heading`. */
function firstBlockBelow(markdown: string, runnables: Runnable[], heading: string): number {
    const headingLine = markdown.split('\n').findIndex((line) => line.startsWith(heading)) + 1;
    const index = runnables.findIndex((runnable) => runnable.line > headingLine);
    if (headingLine === 0 || index < 0) throw new Error(`${TUTORIAL}: no runnable block below "${heading}"`);
    return index;
}

describe(TUTORIAL, () => {
    it('normalises what varies between runs, and nothing that carries meaning', () => {
        const fixed = new Set([9000, 3001]);
        const run = (text: string) => normalise(text, fixed);
        expect(run('redirect_uri http://127.0.0.1:46515/callback, 72 bytes')).toBe(run('redirect_uri http://127.0.0.1:51234/callback, 5 bytes'));
        expect(run('token client_id=3e5e1d4c-0a52-4a53-9d6f-1f0c1c1e2f3a "exp": 1795674245')).toBe(run('token client_id=0b6c4f4e-8b4e-4c8a-9f1e-2d2f1e0a9b8c "exp": 1795670000'));
        expect(run('issuer http://127.0.0.1:9000')).not.toBe(run('issuer http://127.0.0.1:9001'));
        expect(run('scope="files:read" status=200')).not.toBe(run('scope="files:read files:write" status=200'));
        expect(run('status=403')).not.toBe(run('status=200'));
    });

    it('every runnable block prints what the tutorial says, against freshly started processes', async () => {
        const runnables = parseTutorial(readFileSync(resolve(PROJECT_ROOT, TUTORIAL), 'utf8'));
        expect(runnables.filter((runnable) => runnable.kind === 'server').map((runnable) => parseServerCommand(runnable.command).name)).toEqual(['as', 'rs']);
        expect(runnables.length).toBeGreaterThanOrEqual(10);
        const session: Walkthrough = { ports: new Map(), servers: {}, state: tempDir('scoped-tools-tutorial-') };
        walkthrough = session;
        for (const runnable of runnables) {
            if (runnable.kind === 'server') await startTutorialServer(session, runnable);
            else await runTutorialCommand(session, runnable);
        }
    }, 120_000); // some twenty commands, each a process start of its own

    it('steps 4 and 5 work for a reader who pauses after step 3 for longer than the access-token lifetime', async () => {
        const markdown = readFileSync(resolve(PROJECT_ROOT, TUTORIAL), 'utf8');
        const runnables = parseTutorial(markdown);
        const step4 = firstBlockBelow(markdown, runnables, '## 4.');
        // The last block that presents the stored token itself; the client's own calls after it renew on their own.
        const lastRawUse = runnables.findIndex((runnable) => runnable.command.includes('examples/dpop-request.ts'));
        expect(lastRawUse).toBeGreaterThan(step4);
        const session: Walkthrough = {
            ports: new Map(),
            servers: {},
            state: tempDir('scoped-tools-tutorial-'),
            extraArgs: { as: ['--access-token-ttl', String(SHORT_TTL_SECONDS)] },
            expected: (text) => text.replace(/^lifetime: 300 s$/m, `lifetime: ${SHORT_TTL_SECONDS} s`)
        };
        walkthrough = session;
        for (const [index, runnable] of runnables.slice(0, lastRawUse + 1).entries()) {
            if (index === step4) await new Promise((wait) => setTimeout(wait, READER_PAUSE_MS));
            if (runnable.kind === 'server') await startTutorialServer(session, runnable);
            else await runTutorialCommand(session, runnable);
        }
    }, 120_000);
});
