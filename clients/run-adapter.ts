/**
 * One run: start demo-as and demo-rs with the scenario's flags, run the
 * adapter in its work folder with the plan, and file what the wire showed
 * under each step. The adapter waits after every step line (MATRIX_STEP_ACK)
 * until the runner has let the servers' last lines arrive and cut the logs
 * there, so each line lands under the step that caused it.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseVisits } from '../e2e/scripted-browser.ts';
import { freeLoopbackPort } from '../support/serve.ts';
import { PROJECT_ROOT } from '../support/spawn.ts';
import type { FetchRecord, RunEvidence, StepEvidence, Wire } from './evidence.ts';
import { WRONG_ISS, type PersonBehaviour, type Scenario } from './scenarios.ts';
import { startServers, type Servers } from './servers.ts';
import { TSX_LOADER } from './work-folder.ts';

/** How long one step may take in the adapter (kit.ts's withTimeout): a client waiting for a callback that never comes. */
export const STEP_TIMEOUT_MS = 30_000;
/** The servers write a request's log line when its response has gone; this is ample for it to arrive here. */
const SETTLE_MS = 250;
const RUN_SLACK_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The person at the browser: e2e/scripted-browser.ts on the project's tsx. */
function writeBrowserScript(dir: string): string {
    const path = join(dir, 'browser.sh');
    writeFileSync(path, `#!/bin/sh\ncd '${PROJECT_ROOT}' && exec '${process.execPath}' --import '${TSX_LOADER}' e2e/scripted-browser.ts "$1"\n`);
    chmodSync(path, 0o755);
    return path;
}

function personEnvironment(behaviour: PersonBehaviour): Record<string, string> {
    if (behaviour === 'rewrite-iss') return { SCRIPTED_BROWSER_ISS: WRONG_ISS };
    if (behaviour === 'drop-iss') return { SCRIPTED_BROWSER_DROP_ISS: '1' };
    return {};
}

function readJsonLines<T>(path: string): T[] {
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as T) : [];
}

/** Cuts every source at its current end: what arrived since the last cut (or since the run began) is one stretch. */
function wireCutter(servers: Servers, fetchLog: string, visitLog: string): () => Wire {
    const seen = { as: servers.asLines().length, rs: servers.rsLines().length, fetch: 0, visits: 0 };
    return () => {
        const as = servers.asLines();
        const rs = servers.rsLines();
        const fetch = readJsonLines<FetchRecord>(fetchLog);
        const visits = existsSync(visitLog) ? parseVisits(readFileSync(visitLog, 'utf8')) : [];
        const wire = { as: as.slice(seen.as), rs: rs.slice(seen.rs), fetch: fetch.slice(seen.fetch), visits: visits.slice(seen.visits) };
        Object.assign(seen, { as: as.length, rs: rs.length, fetch: fetch.length, visits: visits.length });
        return wire;
    };
}

interface StepLine {
    step: string;
    ok?: boolean;
    error?: string;
}

/** How to start the adapter: the Node it runs on, and its copy inside its work folder. */
export interface AdapterProcess {
    node: string;
    cwd: string;
    entry: string;
}

/**
 * Runs `scenario` against `shared` servers (started with the scenario's flags and used by earlier runs of the
 * same client: their log lines before this run are not this run's), or against servers of its own.
 */
export async function runScenario(adapter: AdapterProcess, scenario: Scenario, shared?: Servers): Promise<RunEvidence> {
    const dir = mkdtempSync(join(tmpdir(), `matrix-${scenario.id}-`));
    const fetchLog = join(dir, 'fetch.jsonl');
    const visitLog = join(dir, 'visits.jsonl');
    const browser = writeBrowserScript(dir);
    const servers = shared ?? (await startServers({ asArgs: scenario.asArgs, rsArgs: scenario.rsArgs }));
    try {
        const cut = wireCutter(servers, fetchLog, visitLog);
        const { SCRIPTED_BROWSER_ISS: _rewrite, SCRIPTED_BROWSER_DROP_ISS: _drop, ...inherited } = process.env;
        const env: NodeJS.ProcessEnv = {
            ...inherited,
            // Each run starts with nothing remembered: libraries that keep tokens under HOME keep them here.
            HOME: dir,
            DISPLAY: '',
            BROWSER: browser,
            MATRIX_BROWSER: browser,
            MATRIX_SERVER_URL: servers.mcpUrl,
            MATRIX_PLAN: scenario.plan.join(','),
            MATRIX_FETCH_LOG: fetchLog,
            MATRIX_STEP_ACK: '1',
            // Node ≥ 22.1 keeps the libraries' compiled code here from one run to the next (Node 20 ignores it).
            NODE_COMPILE_CACHE: join(adapter.cwd, '..', '.node-compile-cache'),
            MATRIX_STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS),
            MATRIX_CALLBACK_PORT: String(await freeLoopbackPort()),
            SCRIPTED_BROWSER_LOG: visitLog,
            ...personEnvironment(scenario.person)
        };
        const child = spawn(adapter.node, ['--import', TSX_LOADER, adapter.entry], { cwd: adapter.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
        child.stdin.on('error', () => undefined);
        const stderr: string[] = [];
        createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
        const exit = new Promise<RunEvidence['end']>((resolve) => child.once('exit', (code) => resolve(code === 0 ? 'finished' : `exited with ${code ?? -1}`)));
        const limit = scenario.plan.length * (STEP_TIMEOUT_MS + 5_000) + RUN_SLACK_MS;
        const killer = setTimeout(() => child.kill('SIGKILL'), limit);
        const steps: StepEvidence[] = [];
        for await (const line of createInterface({ input: child.stdout })) {
            let reported: StepLine;
            try {
                reported = JSON.parse(line) as StepLine;
            } catch {
                continue; // a library printing to stdout: not a step line
            }
            if (typeof reported.step !== 'string') continue;
            if (reported.step === 'pause' && scenario.restartAsAtPause) {
                await servers.restartAs();
                // The token the client holds must have expired: the RS then refuses it whatever key it was signed with.
                await sleep(scenario.restartAsAtPause.accessTokenTtlSeconds * 1000 + 1000);
            } else {
                await sleep(SETTLE_MS);
            }
            steps.push({ step: reported.step, ...(reported.ok !== undefined && { ok: reported.ok }), ...(reported.error && { error: reported.error }), ...cut() });
            child.stdin.write('\n');
        }
        const end = await exit;
        clearTimeout(killer);
        await sleep(SETTLE_MS);
        const after = cut();
        return { scenario: scenario.id, steps, after, end: end === 'exited with -1' ? 'killed at the run timeout' : end, stderrTail: stderr.slice(-5) };
    } finally {
        if (!shared) await servers.stop();
        rmSync(dir, { recursive: true, force: true });
    }
}
