/**
 * Every file README and docs/ tell a reader to write inside the clone is git-ignored, so following
 * the docs never leaves a reader with untracked files to wonder about (or to commit by mistake):
 * the `--trace <file>` of a command, and the `results/` the tests and the conformance run fill.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/spawn.ts';

const pages = ['README.md', ...readdirSync(join(PROJECT_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** The files a page suggests writing: `--trace <name>` with a literal file name, and paths under results/. */
function suggestedOutputs(text: string): string[] {
    const traces = [...text.matchAll(/--trace ([\w/-]+\.[\w.]+)/g)].map((match) => match[1]!);
    const results = [...text.matchAll(/`(results\/[\w./-]*)`/g)].map((match) => match[1]!);
    return [...traces, ...results];
}

const outputs = [...new Set(pages.flatMap((page) => suggestedOutputs(readFileSync(join(PROJECT_ROOT, page), 'utf8'))))].sort();

/** Whether git ignores `path` in this checkout (`git check-ignore` exits 0 for an ignored path, 1 otherwise). */
function ignored(path: string): boolean {
    try {
        execFileSync('git', ['check-ignore', '--no-index', '-q', path], { cwd: PROJECT_ROOT, stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
}

describe('outputs the docs suggest writing', () => {
    it('finds the trace files and results/ the docs name', () => {
        expect(outputs).toEqual(expect.arrayContaining(['flow.md', 'mix-up.md', 'results/']));
    });

    it.each(outputs)('%s is git-ignored', (path) => {
        expect(ignored(path)).toBe(true);
    });
});
