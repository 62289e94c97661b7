/**
 * docs/build-your-own.md stays true to the code it points at:
 * - every excerpt marked `<!-- from: <file> -->` appears in that file, line
 *   for line (indentation aside), so the page cannot show code that is gone;
 * - every repository path it names exists;
 * - every SDK name in its last table is exported by the package it names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/spawn.ts';

const page = readFileSync(join(PROJECT_ROOT, 'docs/build-your-own.md'), 'utf8');

/** Each `<!-- from: file -->` and the fenced block after it. */
function excerpts(): Array<{ file: string; lines: string[] }> {
    return [...page.matchAll(/<!-- from: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)].map((match) => ({ file: match[1]!, lines: match[2]!.split('\n') }));
}

/** Whether `lines` occur as consecutive lines of `text`, each compared without its indentation. */
function occursIn(text: string, lines: string[]): boolean {
    const source = text.split('\n').map((line) => line.trim());
    const wanted = lines.map((line) => line.trim());
    return source.some((_, start) => wanted.every((line, offset) => source[start + offset] === line));
}

/** The names a package's type declarations export (types included), read from its `export { … }` lists. */
function exportedNames(pkg: string): Set<string> {
    const root = join(PROJECT_ROOT, 'node_modules', pkg);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { import: { types: string } }> };
    const declarations = readFileSync(join(root, manifest.exports['.']!.import.types), 'utf8');
    const names = [...declarations.matchAll(/export \{([^}]*)\}/g)].flatMap((match) => match[1]!.split(','));
    return new Set(names.map((name) => name.trim().replace(/^type /, '').split(' as ').pop()!.trim()));
}

describe('docs/build-your-own.md', () => {
    it('shows only code that is in the file it names', () => {
        const found = excerpts();
        expect(found.length).toBeGreaterThanOrEqual(6);
        for (const { file, lines } of found) expect(occursIn(readFileSync(join(PROJECT_ROOT, file), 'utf8'), lines), `${file}: ${lines[0]}`).toBe(true);
    });

    it('names only files and folders that exist', () => {
        const paths = new Set([...page.matchAll(/`((?:examples|demo-as|demo-rs|demo-client|support|scripts|e2e|docs)\/[\w./-]*)`/g)].map((match) => match[1]!));
        paths.add('docs/as-security.md');
        expect(paths.size).toBeGreaterThan(15);
        for (const path of paths) expect(existsSync(join(PROJECT_ROOT, path)), path).toBe(true);
    });

    it('names SDK functions and types that their packages export', () => {
        const rows = [...page.matchAll(/^\| `(\w+)` \| `(@modelcontextprotocol\/[\w-]+)` \|$/gm)];
        expect(rows.length).toBeGreaterThan(10);
        for (const [, name, pkg] of rows) expect(exportedNames(pkg!).has(name!), `${name} from ${pkg}`).toBe(true);
    });
});
