/**
 * Every program a user starts answers `--help` with its usage and exit 0, and
 * a wrong flag with one line naming the program and pointing at `--help`.
 *
 * The flags each usage must name come from the table that parses them, read
 * from the module that exports it (support/usage.ts), never from a list here:
 * a flag added to a table is checked by itself. Every npm script started with
 * tsx must have a table (the three processes' here, the others' in
 * scripts/command-lines.ts, which also lists the scripts the docs run with
 * tsx directly), so a new script without one fails here. Examples
 * stand alone and run as soon as they load, so an example's table is read from
 * its source: the keys of its `const FLAGS = { … }`, the object it hands to
 * parseArgs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMMAND_LINE as AS } from '../demo-as/options.ts';
import { COMMAND_LINE as CLIENT, CONFORMANCE_COMMAND_LINE } from '../demo-client/options.ts';
import { COMMAND_LINE as RS } from '../demo-rs/options.ts';
import { SCRIPT_COMMAND_LINES, STANDALONE_COMMAND_LINES } from '../scripts/command-lines.ts';
import { runToEnd, PROJECT_ROOT, type FinishedRun } from '../support/spawn.ts';
import { allFlags, type CommandLine, type FlagTable } from '../support/usage.ts';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

/** The npm scripts that start a program of this project with tsx (not the test runners or tsc). */
const programScripts = Object.entries(manifest.scripts)
    .filter(([, command]) => command.startsWith('tsx '))
    .map(([name]) => name);

const TABLES: Record<string, CommandLine> = { as: AS, rs: RS, client: CLIENT, 'conformance:client': CONFORMANCE_COMMAND_LINE, ...SCRIPT_COMMAND_LINES };

const WRONG_FLAG = '--no-such-flag';

/** The file an npm script starts: `tsx <entry>`. */
const scriptEntry = (script: string) => manifest.scripts[script]!.slice('tsx '.length);

/** `npm run -s <script> -- <args>`, exactly as a user types it (npm's own start costs about a second, so only `--help` goes through it). */
function runScript(script: string, args: string[]): Promise<FinishedRun> {
    return new Promise((resolve, reject) => {
        const child = spawn('npm', ['run', '-s', script, '--', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr } as FinishedRun));
    });
}

/** Each script's `--help`, run once however many cases read it. */
const helpRuns = new Map<string, Promise<FinishedRun>>();
const scriptHelp = (script: string) => helpRuns.get(script) ?? helpRuns.set(script, runScript(script, ['--help'])).get(script)!;

/** A usage names a flag as it is typed: `--name`, or `--no-name` for a boolean that defaults to on. */
function namesFlag(usage: string, name: string, flag: { type: string; default?: unknown }): boolean {
    const typed = flag.type === 'boolean' && flag.default === true ? `--no-${name}` : `--${name}`;
    return new RegExp(`(^|\\s)${typed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`, 'm').test(usage);
}

/** The usage names every flag of the table, and says each default the table shows. */
function expectUsageCovers(usage: string, flags: FlagTable): void {
    const flowing = usage.replace(/\s+/g, ' ');
    for (const [name, flag] of Object.entries(flags)) {
        expect(namesFlag(usage, name, flag), `--help names --${name}`).toBe(true);
        if (flag.shownDefault !== undefined) expect(flowing).toContain(flag.shownDefault);
    }
}

/** One stderr line, naming the program and pointing at --help; a non-zero exit. */
function expectWrongFlagLine(run: FinishedRun, program: string): void {
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${program}: .*--help`));
    expect(lines[0]).not.toContain("after '--'");
}

describe('npm scripts', () => {
    it('every script that starts a program has a parse table', () => {
        expect(programScripts).toContain('demo');
        expect(programScripts.filter((script) => !TABLES[script])).toEqual([]);
    });

    describe.concurrent.each(programScripts)('npm run %s', (script) => {
        const commandLine = TABLES[script]!;

        it('--help: its usage on stdout, every flag of its table, exit 0', async () => {
            const run = await scriptHelp(script);
            expect(run.stderr).toBe('');
            expect(run.code).toBe(0);
            expect(run.stdout).toMatch(/^usage: /);
            expectUsageCovers(run.stdout, allFlags(commandLine));
        });

        it('a wrong flag: one line naming the program and --help', async () => {
            expectWrongFlagLine(await runToEnd(scriptEntry(script), [WRONG_FLAG]), commandLine.program);
        });
    });
});

describe.concurrent.each(Object.entries(STANDALONE_COMMAND_LINES))('tsx %s', (entry, commandLine) => {
    it('--help: its usage on stdout, every flag of its table, exit 0', async () => {
        const run = await runToEnd(entry, ['--help']);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expectUsageCovers(run.stdout, allFlags(commandLine));
    });

    it('a wrong flag: one line naming the program and --help', async () => {
        expectWrongFlagLine(await runToEnd(entry, [WRONG_FLAG]), commandLine.program);
    });
});

describe.concurrent('demo-client commands', () => {
    it.each(['story', 'tools', 'call', 'logout'])('client %s --help: the usage, exit 0', async (command) => {
        const run = await runToEnd(scriptEntry('client'), [command, '--help']);
        expect(run.code).toBe(0);
        expectUsageCovers(run.stdout, allFlags(CLIENT));
    });
});

describe('the demo', () => {
    it("--help is the demo's own usage: --as, and the client's flags it passes on, not --server", async () => {
        const run = await scriptHelp('demo');
        expect(run.stdout).toMatch(/^usage: npm run demo/);
        expect(run.stdout).toMatch(/^\s+--as /m);
        expect(run.stdout).not.toMatch(/^\s+--server /m);
    });
});

// ─── Examples ──────────────────────────────────────────────────────────────────

const examplesDir = new URL('../examples/', import.meta.url);
const examples = readdirSync(examplesDir)
    .filter((name) => name.endsWith('.ts'))
    .sort();

/** An example's flags: the keys of its `const FLAGS = { … } as const`; undefined when it parses no flags, null when it has no such table. */
function exampleFlags(source: string): Record<string, { type: string; default?: unknown }> | undefined | null {
    if (!source.includes('parseArgs(')) return undefined;
    const table = /^const FLAGS = \{\n([\s\S]*?)\n\} as const;$/m.exec(source)?.[1];
    if (table === undefined) return null;
    return Object.fromEntries(
        [...table.matchAll(/^ {4}'?([a-z][a-z-]*)'?: \{ type: '(string|boolean)'(?:.*default: (true|false))?/gm)].map(([, name, type, fallback]) => [name!, { type: type!, default: fallback === 'true' ? true : undefined }])
    );
}

describe.concurrent.each(examples)('examples/%s', (file) => {
    const program = file.replace(/\.ts$/, '');
    const flags = exampleFlags(readFileSync(new URL(file, examplesDir), 'utf8'));

    it('--help: its usage on stdout, every flag of its table, exit 0', async () => {
        expect(flags, 'an example that calls parseArgs keeps its flags in `const FLAGS = { … } as const`').not.toBeNull();
        const run = await runToEnd(`examples/${file}`, ['--help']);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^usage: /);
        for (const [name, flag] of Object.entries(flags ?? {})) expect(namesFlag(run.stdout, name, flag), `--help names --${name}`).toBe(true);
    });

    // An example that parses no flags takes positional arguments only; there is no wrong flag to give it.
    if (flags !== undefined) {
        it('a wrong flag: one line naming the example and --help', async () => {
            expectWrongFlagLine(await runToEnd(`examples/${file}`, [WRONG_FLAG]), program);
        });
    }
});
