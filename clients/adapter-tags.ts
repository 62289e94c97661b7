/**
 * What an adapter file says about itself, read from the tags of its opening
 * JSDoc block, so adding a client to the matrix is adding one file:
 *
 *   @client <display name>               the table's row label (required)
 *   @packages <pkg@exact-version> …      installed into the adapter's work folder (required; space-separated,
 *                                        may repeat on several lines)
 *   @node <registry node package>        e.g. node@22: the Node the adapter runs on (default: the runner's own)
 *
 * Versions must be exact (`1.2.3`, not `^1.2.3`): the table names them, and a
 * table that must not change between runs cannot follow a range.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AdapterTags {
    /** The file name without `.ts`: what `--client <id>` selects. */
    id: string;
    client: string;
    packages: string[];
    node?: string;
}

/** `name@1.2.3` or `@scope/name@1.2.3`, with an exact version (pre-release tags allowed). */
const EXACT_PIN = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*@\d+\.\d+\.\d+(-[\w.]+)?$/;
const NODE_PIN = /^node@\d+(\.\d+){0,2}$/;

export class AdapterTagError extends Error {}

function openingComment(source: string): string {
    const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
    if (!match) throw new AdapterTagError('does not open with a /** … */ block naming @client and @packages');
    return match[1]!;
}

function tagValues(comment: string, tag: string): string[] {
    const pattern = new RegExp(`^\\s*\\*?\\s*@${tag}\\s+(.+?)\\s*$`, 'gm');
    return [...comment.matchAll(pattern)].map((match) => match[1]!);
}

/** Reads and checks the tags of the adapter at `path` whose text is `source`. */
export function parseAdapterTags(path: string, source: string): AdapterTags {
    const comment = openingComment(source);
    const [client, ...more] = tagValues(comment, 'client');
    if (!client || more.length > 0) throw new AdapterTagError('needs exactly one @client <display name>');
    const packages = tagValues(comment, 'packages').flatMap((line) => line.split(/\s+/));
    if (packages.length === 0) throw new AdapterTagError('needs @packages <pkg@exact-version> …');
    const loose = packages.find((pkg) => !EXACT_PIN.test(pkg));
    if (loose) throw new AdapterTagError(`@packages must pin exact versions (name@1.2.3); "${loose}" does not`);
    const nodes = tagValues(comment, 'node');
    if (nodes.length > 1 || (nodes[0] !== undefined && !NODE_PIN.test(nodes[0]))) throw new AdapterTagError('@node takes one registry node package, e.g. node@22');
    return { id: basename(path).replace(/\.ts$/, ''), client, packages, ...(nodes[0] !== undefined && { node: nodes[0] }) };
}

/** The suite's own adapters. */
export const ADAPTERS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'adapters');

export interface Adapter {
    path: string;
    tags: AdapterTags;
}

/** Reads the adapter at `path`; an unreadable file or a bad tag is an AdapterTagError naming the file. */
export function readAdapter(path: string): Adapter {
    let source: string;
    try {
        source = readFileSync(path, 'utf8');
    } catch {
        throw new AdapterTagError(`cannot read the adapter ${path}`);
    }
    try {
        return { path, tags: parseAdapterTags(path, source) };
    } catch (error) {
        if (error instanceof AdapterTagError) throw new AdapterTagError(`${path}: ${error.message}`);
        throw error;
    }
}

/** clients/adapters/*.ts, in id order: the table's rows. */
export function ourAdapters(): Adapter[] {
    return readdirSync(ADAPTERS_DIR)
        .filter((name) => name.endsWith('.ts'))
        .sort()
        .map((name) => readAdapter(join(ADAPTERS_DIR, name)));
}
