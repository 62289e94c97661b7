/**
 * Reads docs/tutorial.md as a script: which fenced blocks a reader runs, what
 * each should print, and how a command written for a reader's machine (fixed
 * ports, `npm run`, `npx tsx`) becomes one the test can run (free ports, the
 * project's node with tsx). e2e/tutorial.test.ts drives it.
 *
 * Markers, in the fence's info string after the language:
 *   ```sh runnable            a command; runs to the end, stdout and stderr as one stream
 *   ```sh runnable server     a server started in its own terminal; the test starts it on --port 0
 *   ```text output [exit=N]   what the runnable block before it prints (exit status 0 unless given)
 *   ```text as-log / rs-log   the lines the AS / RS printed while that block ran
 */

/** The servers a tutorial may start, by their npm script name. */
export const SERVER_ENTRIES = { as: 'demo-as/main.ts', rs: 'demo-rs/main.ts' } as const;
export type ServerName = keyof typeof SERVER_ENTRIES;

const SCRIPT_ENTRIES: Record<string, string> = { ...SERVER_ENTRIES, client: 'demo-client/main.ts', 'mix-up': 'scripts/mix-up-attack.ts' };

export interface Expectation {
    kind: 'output' | 'as-log' | 'rs-log';
    text: string;
    /** Output blocks only: the exit status the command must end with. */
    exit: number;
    line: number;
}

export interface Runnable {
    kind: 'command' | 'server';
    command: string;
    /** 1-based line of the opening fence, for failure messages. */
    line: number;
    expectations: Expectation[];
}

interface Fence {
    info: string[];
    body: string;
    line: number;
}

function fences(markdown: string): Fence[] {
    const found: Fence[] = [];
    const lines = markdown.split('\n');
    for (let index = 0; index < lines.length; index++) {
        const open = /^```(.*)$/.exec(lines[index]!);
        if (!open) continue;
        const close = lines.findIndex((line, at) => at > index && line === '```');
        if (close < 0) throw new Error(`tutorial.md:${index + 1}: unclosed code fence`);
        found.push({ info: open[1]!.trim().split(/\s+/).filter(Boolean), body: lines.slice(index + 1, close).join('\n'), line: index + 1 });
        index = close;
    }
    return found;
}

function expectationOf(fence: Fence): Expectation | undefined {
    const [language, kind, ...options] = fence.info;
    if (language !== 'text' || (kind !== 'output' && kind !== 'as-log' && kind !== 'rs-log')) return undefined;
    const exit = options.map((option) => /^exit=(\d+)$/.exec(option)).find(Boolean);
    if (options.length > 0 && (!exit || kind !== 'output')) throw new Error(`tutorial.md:${fence.line}: unknown option in "${fence.info.join(' ')}"`);
    return { kind, text: fence.body, exit: exit ? Number(exit[1]) : 0, line: fence.line };
}

/** The runnable blocks in reading order, each with the expectation blocks that follow it. */
export function parseTutorial(markdown: string): Runnable[] {
    const runnables: Runnable[] = [];
    for (const fence of fences(markdown)) {
        if (fence.info[1] === 'runnable') {
            const server = fence.info[2] === 'server';
            if (fence.info.length > (server ? 3 : 2)) throw new Error(`tutorial.md:${fence.line}: unknown option in "${fence.info.join(' ')}"`);
            runnables.push({ kind: server ? 'server' : 'command', command: fence.body, line: fence.line, expectations: [] });
            continue;
        }
        const expectation = expectationOf(fence);
        if (!expectation) continue;
        const owner = runnables.at(-1);
        if (!owner) throw new Error(`tutorial.md:${fence.line}: an expectation block before any runnable block`);
        if (owner.expectations.some((earlier) => earlier.kind === expectation.kind)) throw new Error(`tutorial.md:${fence.line}: a second "${expectation.kind}" block for the command at line ${owner.line}`);
        owner.expectations.push(expectation);
    }
    const silent = runnables.find((runnable) => !runnable.expectations.some((expectation) => expectation.kind === 'output'));
    if (silent) throw new Error(`tutorial.md:${silent.line}: a runnable block without a "text output" block after it`);
    return runnables;
}

/** A server block, `npm run <as|rs> -- --port <n> [flags]`: which server and the port the reader was told to use. */
export function parseServerCommand(command: string): { name: ServerName; port: number; args: string[] } {
    const match = /^npm run (as|rs) -- (.+)$/.exec(command.trim());
    if (!match) throw new Error(`a server block must be "npm run as|rs -- --port <n> …", got: ${command}`);
    const args = match[2]!.split(/\s+/);
    const portAt = args.indexOf('--port');
    const port = Number(args[portAt + 1]);
    if (portAt < 0 || !Number.isInteger(port) || port <= 0) throw new Error(`a server block must name its fixed --port, got: ${command}`);
    return { name: match[1] as ServerName, port, args };
}

/** Rewrites `127.0.0.1:<from>` to `127.0.0.1:<to>` for each pair (URL-encoded colons too). */
export function mapPorts(text: string, ports: ReadonlyMap<number, number>): string {
    return text.replace(/127\.0\.0\.1(:|%3A)(\d+)/gi, (whole, colon: string, port: string) => {
        const to = ports.get(Number(port));
        return to === undefined ? whole : `127.0.0.1${colon}${to}`;
    });
}

/**
 * The command as the test runs it: the project's node with tsx instead of
 * `npm run <script> --` and `npx tsx` (a start through npm/npx costs most of a
 * second), and the tutorial's ports replaced by the real ones.
 */
export function toTestCommand(command: string, ports: ReadonlyMap<number, number>): string {
    const direct = command
        .replace(/\bnpm run ([a-z][a-z-]*)(?: --(?=\s)|(?=\s|$))/g, (whole, script: string) => {
            const entry = SCRIPT_ENTRIES[script];
            if (!entry) throw new Error(`the tutorial runs an unknown npm script: ${whole}`);
            return `node --import tsx ${entry}`;
        })
        .replace(/\bnpx tsx\b/g, 'node --import tsx');
    if (/\b(npm|npx)\s/.test(direct)) throw new Error(`the test runs only npm run <${Object.keys(SCRIPT_ENTRIES).join('|')}> and npx tsx; rewrite: ${command}`);
    return mapPorts(direct, ports);
}

/**
 * What may differ between two honest runs — and only that: ports other than
 * the tutorial's fixed ones, ids, tokens and keys, times, byte counts, the
 * reader's state directory. Applied to both the tutorial's text and the real
 * output, so the tutorial can show realistic values.
 */
export function normalise(text: string, fixedPorts: ReadonlySet<number>): string {
    return text
        .replace(/\r/g, '')
        .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
        .replace(/(client_id[ =])(?!<)[\w.-]+/g, '$1<client-id>')
        .replace(/[\w-]{40,}/g, '<base64url>')
        .replace(/127\.0\.0\.1(:|%3A)(\d+)/gi, (whole, colon: string, port: string) => (fixedPorts.has(Number(port)) ? whole : `127.0.0.1${colon}<port>`))
        .replace(/\b1\d{9}\b/g, '<epoch>')
        .replace(/^(date|etag|content-length):.*$/gim, (_, header: string) => `${header}: <varies>`)
        .replace(/\b\d+ bytes\b/g, '<n> bytes')
        .replace(/"bytes":\d+/g, '"bytes":<n>')
        .replace(/\S*\/scoped-tools-story\/client\.json/g, '<state>/scoped-tools-story/client.json')
        .split('\n')
        .map((line) => line.trimEnd())
        .join('\n')
        .replace(/^\n+|\n+$/g, '');
}
