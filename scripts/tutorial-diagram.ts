/**
 * The tutorial's "whole flow" diagram, drawn from a real run.
 *
 *   npx tsx scripts/tutorial-diagram.ts
 *
 * Runs `npm run demo -- --trace <file>` (headless), takes the mermaid block of
 * the trace, writes it with the tutorial's ports (the AS on 9000, the RS on
 * 3001) and replaces docs/tutorial.md's full trace with it: the mermaid block
 * after the `<!-- the full trace: … -->` marker (the page opens with a short
 * drawn diagram, which this leaves alone).
 * e2e/trace.test.ts compares the same two blocks, so after a change to the
 * story's exchanges this script redraws the picture and the test says whether
 * it is still true.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT, runToEnd } from '../support/spawn.ts';

export const TUTORIAL = resolve(PROJECT_ROOT, 'docs/tutorial.md');
export const TUTORIAL_PORTS = { as: 9000, rs: 3001 } as const;

const FENCE = /^```mermaid\n([\s\S]*?)\n```$/m;
const FULL_TRACE = /^(<!-- the full trace: .*-->\n)```mermaid\n([\s\S]*?)\n```$/m;

/** The body of the first mermaid block in `markdown`, if there is one. */
export function mermaidBlock(markdown: string): string | undefined {
    return FENCE.exec(markdown)?.[1];
}

/** The body of the tutorial's full trace: the mermaid block after its marker, if there is one. */
export function fullTraceBlock(markdown: string): string | undefined {
    return FULL_TRACE.exec(markdown)?.[2];
}

/** The AS and RS origins the demo runner printed before the story. */
export function demoOrigins(stdout: string): { as: string; rs: string } {
    const as = /^authorization server\s+(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1];
    const rs = /^resource server\s+(http:\/\/127\.0\.0\.1:\d+)\/mcp$/m.exec(stdout)?.[1];
    if (!as || !rs) throw new Error('the demo did not print where its servers listen');
    return { as, rs };
}

/** The trace's diagram with the demo's AS and RS ports replaced by the tutorial's. */
export function tutorialDiagram(trace: string, origins: { as: string; rs: string }): string {
    const diagram = mermaidBlock(trace);
    if (diagram === undefined) throw new Error('the trace holds no mermaid block');
    const ports = new Map([
        [new URL(origins.as).port, TUTORIAL_PORTS.as],
        [new URL(origins.rs).port, TUTORIAL_PORTS.rs]
    ]);
    return diagram.replace(/127\.0\.0\.1(:|%3A)(\d+)/gi, (whole, colon: string, port: string) => {
        const to = ports.get(port);
        return to === undefined ? whole : `127.0.0.1${colon}${to}`;
    });
}

/** Runs the demo with --trace: its stdout and the trace file's text. */
export async function tracedDemo(env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; trace: string }> {
    const directory = mkdtempSync(join(tmpdir(), 'scoped-tools-trace-'));
    try {
        const file = join(directory, 'demo-trace.md');
        const run = await runToEnd('scripts/demo.ts', ['--trace', file], { env: { CI: '1', NO_COLOR: '1', ...env }, timeoutMs: 100_000 });
        return { ...run, trace: run.code === 0 ? readFileSync(file, 'utf8') : '' };
    } finally {
        rmSync(directory, { recursive: true, force: true });
    }
}

async function main(): Promise<number> {
    const run = await tracedDemo();
    if (run.code !== 0) {
        process.stderr.write(`tutorial-diagram: the demo failed (exit ${run.code}):\n${run.stderr}\n`);
        return 1;
    }
    const tutorial = readFileSync(TUTORIAL, 'utf8');
    if (fullTraceBlock(tutorial) === undefined) throw new Error('docs/tutorial.md holds no full trace to replace (a mermaid block after "<!-- the full trace: … -->")');
    const diagram = tutorialDiagram(run.trace, demoOrigins(run.stdout));
    writeFileSync(TUTORIAL, tutorial.replace(FULL_TRACE, (_, marker: string) => `${marker}\`\`\`mermaid\n${diagram}\n\`\`\``));
    process.stdout.write(`docs/tutorial.md: the full trace redrawn from a real run (${diagram.split('\n').length} lines)\n`);
    return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(PROJECT_ROOT, 'scripts/tutorial-diagram.ts')) process.exit(await main());
