/**
 * The folder layout is the architecture, and the imports keep it:
 * - no import circle anywhere in the project's own code, type-only imports
 *   counted (a reader follows those too): the client's OAuth flow sits at the
 *   bottom, and the narration and trace observe it through session-events.ts;
 * - no process imports another's code: demo-as, demo-rs and demo-client import
 *   only themselves and support/, and support/ imports none of them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../support/spawn.ts';

const FOLDERS = ['demo-as', 'demo-rs', 'demo-client', 'support', 'scripts', 'examples', 'real-as', 'conformance', 'clients'];

function sourceFiles(folder: string): string[] {
    return readdirSync(join(PROJECT_ROOT, folder), { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.ts'))
        .map((name) => join(folder, name));
}

/** Each file and the project files it imports (static, dynamic and type-only imports, and re-exports). */
function importGraph(): Map<string, string[]> {
    const files = FOLDERS.flatMap(sourceFiles);
    const known = new Set(files);
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
        const targets = [...text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => relative(PROJECT_ROOT, resolve(PROJECT_ROOT, dirname(file), match[1]!)));
        graph.set(file, [...new Set(targets.filter((target) => known.has(target)))]);
    }
    return graph;
}

/** The import circles: strongly connected components of more than one file (Tarjan), each sorted. */
function circles(graph: Map<string, string[]>): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const found: string[][] = [];
    const visit = (file: string) => {
        index.set(file, index.size);
        low.set(file, index.get(file)!);
        stack.push(file);
        for (const next of graph.get(file) ?? []) {
            if (!index.has(next)) {
                visit(next);
                low.set(file, Math.min(low.get(file)!, low.get(next)!));
            } else if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
        }
        if (low.get(file) !== index.get(file)) return;
        const component: string[] = [];
        for (let member = stack.pop(); member !== undefined; member = member === file ? undefined : stack.pop()) component.push(member);
        if (component.length > 1) found.push(component.sort());
    };
    for (const file of graph.keys()) if (!index.has(file)) visit(file);
    return found;
}

describe('the import graph', () => {
    const graph = importGraph();

    it('has no import circle, type-only imports counted', () => {
        expect(graph.size).toBeGreaterThan(100);
        expect(circles(graph)).toEqual([]);
    });

    it('lets no process import another process, and support/ import none of them', () => {
        const processes = ['demo-as', 'demo-rs', 'demo-client'];
        const crossings = [...graph].flatMap(([file, targets]) => {
            const home = file.split('/')[0]!;
            if (!processes.includes(home) && home !== 'support') return [];
            const allowed = home === 'support' ? ['support'] : [home, 'support'];
            return targets.filter((target) => !allowed.includes(target.split('/')[0]!)).map((target) => `${file} → ${target}`);
        });
        expect(crossings).toEqual([]);
    });
});
