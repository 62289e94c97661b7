/**
 * A program's `--help`, generated from the same table that parses its flags.
 *
 * Each program a user starts declares its command line once: node:util
 * parseArgs options, each with a one-line description, the name shown for its
 * value and, where the parse default says too little, the default shown. The
 * usage text is made from that table, so a flag added to it appears in
 * `--help` by itself and cannot be missing from it. `--help` (or `-h`) prints
 * the text on stdout and exits 0; a wrong flag is one line naming the program
 * and pointing at `--help`, exit 2 (support/args.ts).
 */
import { parseArgs } from 'node:util';
import { parseCommandLine, type OptionSpec } from './args.ts';

/** One flag: its parseArgs option, plus what `--help` says about it. */
export type FlagSpec = OptionSpec[string] & {
    /** What the flag does, in one line (wrapped when long). */
    description: string;
    /** The value's name in the usage, e.g. `<n>` or `redis://host:port`; strings only (default `<value>`). */
    value?: string;
    /** The default as a user should read it, e.g. `0: any free port`; default: the parse default, if any. */
    shownDefault?: string;
};

export type FlagTable = Record<string, FlagSpec>;

export interface CommandLine<F extends FlagTable = FlagTable> {
    /** Names the program in its usage and in every error line. */
    program: string;
    /** What follows `usage: `, e.g. `demo-rs --issuer <AS issuer> [flags]`. */
    synopsis: string;
    /** Text between the synopsis and the flags, e.g. the commands a program takes. */
    preamble?: string;
    flags: F;
}

/** Every program answers `--help` and `-h`; it is added here so no table can forget it. */
const HELP_FLAG = { help: { type: 'boolean', short: 'h', description: 'print this text and exit' } } as const satisfies FlagTable;

const WIDTH = 100;
const LEFT_COLUMN_MAX = 32;

/** Declares a command line, keeping each flag's literal type so the parsed values are typed. */
export function defineCommandLine<const F extends FlagTable>(commandLine: CommandLine<F>): CommandLine<F> {
    return commandLine;
}

/** The flags a program parses: its own and `--help`. */
export function allFlags<F extends FlagTable>(commandLine: CommandLine<F>): F & typeof HELP_FLAG {
    return { ...commandLine.flags, ...HELP_FLAG };
}

/** How a flag is written on the command line: a boolean that defaults to on is given as `--no-<name>`. */
function flagForm(name: string, spec: FlagSpec): string {
    const short = spec.short ? `-${spec.short}, ` : '';
    if (spec.type === 'boolean') return `${short}--${spec.default === true ? `no-${name}` : name}`;
    return `${short}--${name} ${spec.value ?? '<value>'}`;
}

/** The description with what the table knows: repeatable, and the default. */
function fullDescription(spec: FlagSpec): string {
    const notes: string[] = [];
    if (spec.multiple) notes.push('repeatable');
    const shown = spec.shownDefault ?? (spec.type === 'string' && spec.default !== undefined ? String(spec.default) : undefined);
    if (shown !== undefined) notes.push(`default: ${shown}`);
    return notes.length > 0 ? `${spec.description} (${notes.join('; ')})` : spec.description;
}

/** Words into lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else line = line ? `${line} ${word}` : word;
    }
    return line ? [...lines, line] : lines;
}

/** The usage text: synopsis, preamble, then one entry per flag with its description and default. */
export function usageText(commandLine: CommandLine): string {
    const entries = Object.entries(allFlags(commandLine)).map(([name, spec]) => ({ left: flagForm(name, spec), text: fullDescription(spec) }));
    // Flags too long for the column stand on their own line, so they do not widen it for the rest.
    const column = Math.max(...entries.map((entry) => entry.left.length).filter((length) => length <= LEFT_COLUMN_MAX)) + 2;
    const indent = ' '.repeat(2 + column);
    const flagLines = entries.flatMap(({ left, text }) => {
        const [first = '', ...rest] = wrap(text, WIDTH - indent.length);
        const head = left.length + 2 <= column ? [`  ${left.padEnd(column)}${first}`] : [`  ${left}`, `${indent}${first}`];
        return [...head, ...rest.map((line) => `${indent}${line}`)];
    });
    // A preamble's indented lines are kept as written (a list of commands); the others are wrapped.
    const preambleLines = (commandLine.preamble ?? '').split('\n').flatMap((line) => (/^\s/.test(line) ? [line] : wrap(line, WIDTH)));
    const preamble = commandLine.preamble ? `\n${preambleLines.join('\n')}\n` : '';
    return `usage: ${commandLine.synopsis}\n${preamble}\nflags:\n${flagLines.join('\n')}\n`;
}

/** Whether `--help`/`-h` is among the flags, wherever it stands and whatever else is wrong (a value like `--store -h` is not a flag). */
function asksForHelp(options: FlagTable, argv: string[]): boolean {
    const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
    return tokens.some((token) => token.kind === 'option' && token.name === 'help');
}

/**
 * Parses argv against the program's table. `--help`/`-h` prints the usage on stdout and exits 0,
 * whatever else is on the line; a wrong flag is one line and exit 2 (support/args.ts).
 */
export function parseCommandLineOrHelp<F extends FlagTable>(commandLine: CommandLine<F>, argv = process.argv.slice(2)) {
    if (asksForHelp(allFlags(commandLine), argv)) {
        process.stdout.write(usageText(commandLine));
        process.exit(0);
    }
    return parseCommandLine(commandLine.program, allFlags(commandLine), argv);
}
