/**
 * Command-line parsing shared by the three processes.
 *
 * Each process declares its options once; a bad flag or value ends the
 * process with one readable line and exit code 2, never a stack trace. A
 * wrong flag's line names the program and points at `--help`
 * (support/usage.ts), instead of Node's advice about `--`, which an npm user
 * has already typed.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Prints `<program>: <message>` on stderr and exits with status 2 (usage error). */
export function usageError(program: string, message: string): never {
    process.stderr.write(`${program}: ${message}\n`);
    process.exit(2);
}

/** Parses argv against `options`; unknown flags and missing values become a usage error. */
export function parseCommandLine<O extends OptionSpec>(program: string, options: O, argv = process.argv.slice(2)) {
    try {
        return parseArgs({ args: argv, options, allowPositionals: true, allowNegative: true, strict: true });
    } catch (error) {
        usageError(program, 'help' in options ? `${wrongFlag(error)}; see --help` : wrongFlag(error));
    }
}

/** The flag as typed, in printable characters only and cut short: it is the user's text, shown back on their terminal. */
const shownFlag = (raw: string) => raw.replace(/[^\x21-\x7e]/g, '').slice(0, 40);

/** What parseArgs refused, said in one line without its advice about `--` (node:util error codes). */
function wrongFlag(error: unknown): string {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : '';
    // "Unknown option '--x'", "Option '-p, --port <value>' argument missing": the quoted flag, its long name if it has one.
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    const flag = shownFlag(quoted.replace(/^-\w, /, '').split(' ')[0] ?? '');
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown flag ${flag}`;
    if (code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return 'invalid arguments';
    if (message.includes('argument missing')) return `${flag} needs a value`;
    if (message.includes('ambiguous')) return `${flag} needs a value; one that starts with - is written ${flag}=-…`;
    if (message.includes('does not take an argument')) return `${flag} takes no value`;
    return `${flag}: invalid value`;
}

/** `--port` as a TCP port: 0 (pick a free one) to 65535. */
export function parsePort(program: string, raw: string | undefined, fallback: number): number {
    if (raw === undefined) return fallback;
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port > 65535) usageError(program, `--port must be an integer from 0 to 65535`);
    return port;
}

/** A positive integer flag such as `--max-step-up-retries`, with `min` as the smallest allowed value. */
export function parseCount(program: string, flag: string, raw: string | undefined, fallback: number, min = 0): number {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min) usageError(program, `${flag} must be an integer ≥ ${min}`);
    return value;
}

/** An absolute http(s) URL flag such as `--issuer` or `--server`. */
export function parseHttpUrl(program: string, flag: string, raw: string | undefined): URL {
    if (!raw) usageError(program, `${flag} <url> is required`);
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        usageError(program, `${flag} must be an absolute http(s) URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') usageError(program, `${flag} must be an absolute http(s) URL`);
    return url;
}

/** A web origin flag such as `--allowed-origin`: http(s), host, optional port, nothing else; returned as the browser serializes it. */
export function parseOrigin(program: string, flag: string, raw: string): string {
    const problem = `${flag} must be an origin such as https://app.example (scheme, host, optional port; no path)`;
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        usageError(program, problem);
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) usageError(program, problem);
    return url.origin;
}
