/**
 * How long the demo takes, next to the floor it cannot beat.
 *
 * demoWallMs: `npm run demo` with CI=1 (headless), from spawn to exit — what a
 * person waits for. demoFloorMs: DEMO_PROCESSES bare tsx starts
 * (bench-bare.ts, started the way support/spawn.ts starts every process),
 * all at once, until the last has exited — the demo starts that many tsx
 * processes (the runner, the AS, the RS, the client), so it cannot finish
 * sooner. The two alternate, so each ratio is taken under the same load.
 * demoDirectMs is the demo without npm in front (`node --import tsx
 * scripts/demo.ts`), to show what npm itself adds. demoImportFloorMs: four
 * processes started the same way, at once, each importing exactly the
 * packages one of the demo's four processes imports (bench-import-floor.ts),
 * until the last has exited — what the demo's dependencies cost to load;
 * demoImportRatio is demoDirectMs over it, round by round. The demo's own lines give
 * its timeline (servers ready, client's first line, story done), and one bare
 * tsx start alone shows what each process pays before its own code runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { PROJECT_ROOT, exited, runToEnd, spawnTs, startServer } from '../support/spawn.ts';
import { CLOCK_TICKS_PER_SECOND, median } from './bench-support.ts';

/** scripts/demo.ts, demo-as, demo-rs, demo-client. */
export const DEMO_PROCESSES = 4;
const DEMO_ENTRIES = ['scripts/demo.ts', 'demo-as/main.ts', 'demo-rs/main.ts', 'demo-client/main.ts'];

export interface DemoResult {
    demoWallMs: number;
    demoFloorMs: number;
    demoDirectMs: number;
    /** Median of the per-round ratios demoWallMs / demoFloorMs. */
    demoRatio: number;
    /** The four processes that only import what the demo's four import, all at once. */
    demoImportFloorMs: number;
    /** Median of the per-round ratios demoDirectMs / demoImportFloorMs. */
    demoImportRatio: number;
    /** One bare tsx start, alone. */
    bareTsxMs: number;
    /** From spawning `npm run demo` until the runner prints both servers' origins. */
    demoServersReadyMs: number;
    /** … until the client prints its first line. */
    demoClientStartedMs: number;
    /** … until the client prints that the story went as expected. */
    demoStoryDoneMs: number;
}

const DEMO_ENV = { ...process.env, CI: '1', NO_COLOR: '1' };

/** The demo's lines that mark its phases, as printed by scripts/demo.ts and the client's story. */
const MARKERS = { serversReady: 'authorization server ', clientStarted: 'scoped-tools story:', storyDone: 'The story went as expected.' };
type Marker = keyof typeof MARKERS;

/** Milliseconds from spawning `children` until every one has exited 0. */
async function timeToExit(what: string, start: () => ChildProcess[]): Promise<number> {
    const started = performance.now();
    const children = start();
    const codes = await Promise.all(children.map((child) => exited(child)));
    const elapsed = performance.now() - started;
    if (codes.some((code) => code !== 0)) throw new Error(`${what} exited with ${codes.join(', ')}`);
    return elapsed;
}

const quiet = { stdio: 'ignore' as const };

/** `npm run demo`, headless: its wall time and when each marker line appeared. */
async function runDemo(): Promise<{ wallMs: number; at: Record<Marker, number> }> {
    const at: Partial<Record<Marker, number>> = {};
    let started = 0;
    const wallMs = await timeToExit('npm run demo', () => {
        started = performance.now();
        const child = spawn('npm', ['run', '-s', 'demo'], { cwd: PROJECT_ROOT, env: DEMO_ENV, stdio: ['ignore', 'pipe', 'ignore'] });
        child.stdout?.setEncoding('utf8');
        child.stdout?.on('data', (chunk: string) => {
            for (const [marker, text] of Object.entries(MARKERS) as [Marker, string][]) if (at[marker] === undefined && chunk.includes(text)) at[marker] = performance.now() - started;
        });
        return [child];
    });
    const missing = (Object.keys(MARKERS) as Marker[]).filter((marker) => at[marker] === undefined);
    if (missing.length > 0) throw new Error(`npm run demo never printed: ${missing.map((marker) => MARKERS[marker]).join(', ')}`);
    return { wallMs, at: at as Record<Marker, number> };
}

const runDemoDirect = () => timeToExit('scripts/demo.ts', () => [spawnTs('scripts/demo.ts', [], { env: DEMO_ENV, ...quiet })]);

const runBare = (count: number) => timeToExit('bare tsx', () => Array.from({ length: count }, () => spawnTs('scripts/bench-bare.ts', [], quiet)));

const runImportFloor = () => timeToExit('import floor', () => DEMO_ENTRIES.map((entry) => spawnTs('scripts/bench-import-floor.ts', [entry], quiet)));

export async function measureDemo(rounds: number): Promise<DemoResult> {
    await runBare(DEMO_PROCESSES);
    await runDemo();
    await runImportFloor();
    const series = { wall: [] as number[], floor: [] as number[], direct: [] as number[], ratio: [] as number[], bare: [] as number[], importFloor: [] as number[], importRatio: [] as number[] };
    const phases: Record<Marker, number[]> = { serversReady: [], clientStarted: [], storyDone: [] };
    for (let round = 0; round < rounds; round++) {
        const floorMs = await runBare(DEMO_PROCESSES);
        const demo = await runDemo();
        series.floor.push(floorMs);
        series.wall.push(demo.wallMs);
        series.ratio.push(demo.wallMs / floorMs);
        for (const marker of Object.keys(phases) as Marker[]) phases[marker].push(demo.at[marker]);
        // The import floor and the direct demo back to back, their order alternating, for their ratio.
        const importFloorFirst = round % 2 === 0 ? await runImportFloor() : undefined;
        const directMs = await runDemoDirect();
        const importFloorMs = importFloorFirst ?? (await runImportFloor());
        series.importFloor.push(importFloorMs);
        series.direct.push(directMs);
        series.importRatio.push(directMs / importFloorMs);
        series.bare.push(await runBare(1));
    }
    return {
        demoWallMs: median(series.wall),
        demoFloorMs: median(series.floor),
        demoDirectMs: median(series.direct),
        demoRatio: median(series.ratio),
        demoImportFloorMs: median(series.importFloor),
        demoImportRatio: median(series.importRatio),
        bareTsxMs: median(series.bare),
        demoServersReadyMs: median(phases.serversReady),
        demoClientStartedMs: median(phases.clientStarted),
        demoStoryDoneMs: median(phases.storyDone)
    };
}

export interface DemoCpu {
    /** CPU time (user + system, all threads) of one bare tsx start. */
    bareCpuMs: number;
    /** The demo AS from spawn to its ready line (and its SIGTERM exit). */
    asStartCpuMs: number;
    /** The demo RS likewise. */
    rsStartCpuMs: number;
    /** The client process running the whole story against running servers. */
    clientStoryCpuMs: number;
    /** The whole `npm run demo` process tree: npm, the tsx CLI, the runner, AS, RS and client. */
    demoCpuMs: number;
    /** The floor's DEMO_PROCESSES bare starts together. */
    floorCpuMs: number;
}

/**
 * CPU time of every child this process has waited for so far, from
 * /proc/self/stat (cutime + cstime; a child's own waited-for children are
 * included, so `npm run demo` counts with everything it started). Linux only.
 */
async function childrenCpuMs(): Promise<number> {
    const stat = await readFile('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5); the slice starts at field 3.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function cpuOf(action: () => Promise<unknown>): Promise<number> {
    const before = await childrenCpuMs();
    await action();
    return (await childrenCpuMs()) - before;
}

async function startAndStop(entry: string, args: string[]): Promise<void> {
    await (await startServer(entry, args)).stop();
}

/** Where the demo's CPU goes, process by process: the profile behind docs/benchmarks.md's demo section. */
export async function measureDemoCpu(rounds: number): Promise<DemoCpu> {
    const series: Record<keyof DemoCpu, number[]> = { bareCpuMs: [], asStartCpuMs: [], rsStartCpuMs: [], clientStoryCpuMs: [], demoCpuMs: [], floorCpuMs: [] };
    for (let round = 0; round < rounds; round++) {
        series.bareCpuMs.push(await cpuOf(() => runBare(1)));
        series.floorCpuMs.push(await cpuOf(() => runBare(DEMO_PROCESSES)));
        series.demoCpuMs.push(await cpuOf(runDemo));
        series.asStartCpuMs.push(await cpuOf(() => startAndStop('demo-as/main.ts', ['--port', '0'])));
        series.rsStartCpuMs.push(await cpuOf(() => startAndStop('demo-rs/main.ts', ['--port', '0', '--issuer', 'http://127.0.0.1:9'])));
        const as = await startServer('demo-as/main.ts', ['--port', '0']);
        const rs = await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin]);
        try {
            series.clientStoryCpuMs.push(
                await cpuOf(async () => {
                    const story = await runToEnd('demo-client/main.ts', ['story', '--server', `${rs.origin}/mcp`, '--headless']);
                    if (story.code !== 0) throw new Error(`the client's story exited with ${story.code}: ${story.stderr.split('\n')[0]}`);
                })
            );
        } finally {
            await Promise.all([rs.stop(), as.stop()]);
        }
    }
    return Object.fromEntries(Object.entries(series).map(([name, values]) => [name, median(values)])) as unknown as DemoCpu;
}
