/**
 * One process of the demo's import floor (docs/benchmarks.md, demoImportFloorMs).
 *
 *   tsx scripts/bench-import-floor.ts <entry>     e.g. demo-rs/main.ts
 *
 * Imports exactly the packages and Node built-ins that `<entry>` and the
 * project modules it reaches import statically (type-only imports aside; a
 * lazy `import()` such as the browser launcher's is not on the demo's path
 * either), in the order they first appear, and exits. `npm run bench` starts
 * one for each of the demo's four processes, all at once: the time until the
 * last has exited is what the demo's dependencies cost to load, which the demo
 * cannot beat without loading less.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Static `import … from '…'`, `import '…'` and `export … from '…'`, skipping `import type` / `export type`. */
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[\s\S]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** The external specifiers `entry`'s static import graph names, in first-seen order. */
export function externalImports(entry: string): string[] {
    const external = new Set<string>();
    const visited = new Set<string>();
    const visit = (file: string) => {
        if (visited.has(file)) return;
        visited.add(file);
        for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
            if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
            else external.add(specifier);
        }
    };
    visit(resolve(entry));
    return [...external];
}

const entry = process.argv[2];
if (!entry) {
    process.stderr.write('bench-import-floor: usage: bench-import-floor <entry.ts>\n');
    process.exit(2);
}
for (const specifier of externalImports(entry)) await import(specifier);
