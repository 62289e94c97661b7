/**
 * Each adapter runs in a work folder outside the repository, holding exactly
 * its pinned packages: the client libraries are never the project's
 * dependencies (npm ci stays small, Node 20 stays enough), and each library
 * gets the dependency versions it asks for, not the project's.
 *
 * The folder is keyed by the adapter's id, packages and Node, so it is
 * installed once and reinstalled only when a pin changes. The adapter and
 * clients/kit.ts are copied in afresh by every runner (they are the
 * repository's current text); the adapter is then run with the project's
 * tsx as loader.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AdapterTags } from './adapter-tags.ts';

const run = promisify(execFile);

const KIT = join(dirname(fileURLToPath(import.meta.url)), 'kit.ts');
/** The project's tsx, by absolute URL: the work folder has no tsx of its own. */
export const TSX_LOADER = import.meta.resolve('tsx');

/** Where work folders live; CLIENTS_WORK_DIR moves them (e.g. to a CI cache). */
export const WORK_ROOT = process.env.CLIENTS_WORK_DIR ?? join(homedir(), '.cache', 'scoped-tools-clients');

export interface WorkFolder {
    /** Holds the pinned packages' node_modules. */
    dir: string;
    /** The Node binary the adapter runs on, and its version. */
    node: string;
    nodeVersion: string;
}

export interface AdapterCopy {
    /** Inside the work folder: `adapters/<id>.ts` and `kit.ts`. */
    dir: string;
    entry: string;
    remove(): void;
}

const INSTALL_TIMEOUT_MS = 600_000;

function folderFor(tags: AdapterTags): string {
    const key = createHash('sha256').update(JSON.stringify([tags.packages, tags.node ?? null])).digest('hex').slice(0, 12);
    return join(WORK_ROOT, `${tags.id}-${key}`);
}

function lastLines(text: string, count: number): string {
    return text.trim().split('\n').slice(-count).join(' | ');
}

/**
 * `npm install`s the pinned packages unless this exact set is already there. The install happens in a
 * folder of its own, renamed into place when complete, so a run that starts meanwhile (another runner on the
 * same machine) never sees half an install.
 */
async function install(dir: string, tags: AdapterTags): Promise<void> {
    if (existsSync(join(dir, '.installed'))) return;
    mkdirSync(WORK_ROOT, { recursive: true });
    const staging = mkdtempSync(`${dir}.installing-`);
    const dependencies = Object.fromEntries(tags.packages.map((pkg) => {
        const at = pkg.lastIndexOf('@');
        return [pkg.slice(0, at), pkg.slice(at + 1)];
    }));
    writeFileSync(join(staging, 'package.json'), `${JSON.stringify({ private: true, type: 'module', dependencies }, null, 2)}\n`);
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: staging, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }).catch(
        (error: Error & { stderr?: string }) => {
            rmSync(staging, { recursive: true, force: true });
            throw new Error(`npm install of ${tags.packages.join(' ')} for ${tags.id} failed: ${lastLines(error.stderr ?? error.message, 3)}`);
        }
    );
    writeFileSync(join(staging, '.installed'), `${tags.packages.join('\n')}\n`);
    try {
        renameSync(staging, dir);
    } catch {
        rmSync(staging, { recursive: true, force: true }); // another runner finished the same install first
    }
}

/** The registry's `node` package (e.g. node@22), fetched by npx into its cache: its binary and version. */
async function fetchNode(nodePkg: string, cwd: string): Promise<{ node: string; nodeVersion: string }> {
    const { stdout } = await run('npx', ['--yes', '-p', nodePkg, '-c', 'command -v node && node --version'], { cwd, timeout: INSTALL_TIMEOUT_MS }).catch(
        (error: Error) => {
            throw new Error(`npx could not fetch ${nodePkg}: ${error.message.split('\n')[0]}`);
        }
    );
    const [node, nodeVersion] = stdout.trim().split('\n').map((line) => line.trim());
    if (!node || !nodeVersion) throw new Error(`npx did not provide ${nodePkg}`);
    return { node, nodeVersion };
}

/** Installs (once) the work folder of the adapter described by `tags`, and finds the Node it runs on. */
export async function prepareWorkFolder(tags: AdapterTags): Promise<WorkFolder> {
    const dir = folderFor(tags);
    await install(dir, tags);
    const runtime = tags.node ? await fetchNode(tags.node, dir) : { node: process.execPath, nodeVersion: process.version };
    return { dir, ...runtime };
}

/**
 * Copies the adapter and clients/kit.ts into a fresh folder inside the work folder — `<copy>/adapters/<id>.ts`
 * and `<copy>/kit.ts` — whose imports resolve to the work folder's packages (Node looks up the parent
 * folders' node_modules). A copy per runner, so two runners with different adapter texts never share one.
 */
export function copyAdapter(work: WorkFolder, adapterPath: string, tags: AdapterTags): AdapterCopy {
    const dir = mkdtempSync(join(work.dir, 'run-'));
    mkdirSync(join(dir, 'adapters'));
    const entry = join(dir, 'adapters', `${tags.id}.ts`);
    copyFileSync(adapterPath, entry);
    copyFileSync(KIT, join(dir, 'kit.ts'));
    return { dir, entry, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
