/**
 * Real MCP clients the e2e tests drive (mcp-remote, the MCP Inspector) are
 * fetched on demand, pinned, into npx's cache outside the repository — never
 * dependencies of the project, so `npm install` stays small. The same way
 * conformance/suite-cli.ts fetches the conformance suite.
 *
 * A test that cannot get its piece says so: outside CI it reports itself
 * skipped with the reason; with CI set it fails, because .ci/run provides
 * every piece.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../support/spawn.ts';

export const IN_CI = Boolean(process.env.CI);

/** A pinned package's command, with the Node that runs it. */
export interface FetchedCommand {
    /** Absolute path of the Node binary to run `entry` with. */
    node: string;
    nodeVersion: string;
    /** Absolute path of the package's bin script. */
    entry: string;
}

/**
 * Installs (or finds in npx's cache) `pkg` — and, when given, the registry's `nodePkg` to run it on,
 * for packages whose engines want a newer Node than the project's — and returns where `bin` is.
 */
export async function fetchCommand(pkg: string, bin: string, nodePkg?: string): Promise<FetchedCommand> {
    const probe = `command -v node && node --version && command -v ${bin}`;
    const packages = [...(nodePkg ? ['-p', nodePkg] : []), '-p', pkg];
    const { stdout } = await promisify(execFile)('npx', ['--yes', ...packages, '-c', probe], { cwd: PROJECT_ROOT, timeout: 300_000 }).catch((error: Error) => {
        throw new Error(`npx could not fetch ${[nodePkg, pkg].filter(Boolean).join(' and ')}: ${error.message.split('\n')[0]}`);
    });
    const [node, nodeVersion, entry] = stdout.trim().split('\n').map((line) => line.trim());
    if (!node || !nodeVersion || !entry) throw new Error(`npx did not provide ${pkg} (${bin}: ${entry ?? 'missing'})`);
    return { node: nodePkg ? node : process.execPath, nodeVersion: nodePkg ? nodeVersion : process.version, entry };
}

/** What a test needs: the thing itself, or why it is missing. */
export type Requirement<T> = { ok: true; value: T } | { ok: false; reason: string };

export async function requirement<T>(find: () => Promise<T>): Promise<Requirement<T>> {
    try {
        return { ok: true, value: await find() };
    } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
    }
}

/**
 * Whether the tests depending on `pieces` run — they do when every piece is there, and in CI (where a
 * missing piece is then a failure, thrown by `need`) — and the title of their group, which names what
 * is missing when they are skipped. Outside CI, a missing piece is also announced on stderr.
 */
export function runsHere(title: string, pieces: Requirement<unknown>[]): { runs: boolean; title: string } {
    const reasons = pieces.flatMap((piece) => (piece.ok ? [] : [piece.reason])).join('; ');
    if (!reasons || IN_CI) return { runs: true, title };
    console.warn(`${title}: SKIPPED — ${reasons}`);
    return { runs: false, title: `${title} — skipped: ${reasons}` };
}

/** The piece's value; with CI set and the piece missing, a loud failure naming it. */
export function need<T>(piece: Requirement<T>, what: string): T {
    if (!piece.ok) throw new Error(`${what} is missing (${piece.reason}); CI must provide it and may not skip this test`);
    return piece.value;
}
