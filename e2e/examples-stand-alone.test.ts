/**
 * Every file in examples/ can be copied by itself: a reader takes one file, installs the
 * packages it names, and runs it. So an example imports only `node:` modules and packages
 * this project declares (dependencies or devDependencies in package.json) — never a
 * relative path into the suite (support/, demo-client/, e2e/ …), which a copied file
 * would not find.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const examplesDir = new URL('../examples/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const declaredPackages = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);

/** Every module specifier a file names: `from '…'`, a bare `import '…'`, and `import('…')`. */
function importedSpecifiers(source: string): string[] {
    const pattern = /\bfrom\s*(['"])([^'"]+)\1|\bimport\s*(['"])([^'"]+)\3|\bimport\(\s*(['"])([^'"]+)\5\s*\)/g;
    return [...source.matchAll(pattern)].map((match) => match[2] ?? match[4] ?? match[6] ?? '');
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
    const parts = specifier.split('/');
    return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
}

function isStandaloneImport(specifier: string): boolean {
    return specifier.startsWith('node:') || declaredPackages.has(packageName(specifier));
}

const exampleFiles = readdirSync(examplesDir).filter((name) => name.endsWith('.ts')).sort();

describe('examples/ stand alone', () => {
    it('finds the example files', () => {
        expect(exampleFiles).toContain('minimal-client.ts');
    });

    it.each(exampleFiles)('examples/%s imports only node: modules and declared packages', (name) => {
        const specifiers = importedSpecifiers(readFileSync(new URL(name, examplesDir), 'utf8'));
        expect(specifiers.length).toBeGreaterThan(0);
        expect(specifiers.filter((specifier) => !isStandaloneImport(specifier))).toEqual([]);
    });
});
