/**
 * docs/clients.md's generated part is what the matrix runner renders: its
 * table parses and renders back to the same text, its columns are the
 * runner's columns, it has one row per adapter in clients/adapters/ with the
 * pins the adapter declares, and its legend is the runner's. A change to the
 * columns or the adapters that was not followed by `npm run clients` fails
 * here, before CI's own regeneration would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ourAdapters } from '../clients/adapter-tags.ts';
import { COLUMNS } from '../clients/cells.ts';
import { generatedPart, parseTable, pinsOf, renderGeneratedPart, renderTable } from '../clients/table.ts';
import { PROJECT_ROOT } from '../support/spawn.ts';

const doc = readFileSync(join(PROJECT_ROOT, 'docs/clients.md'), 'utf8');

describe('docs/clients.md', () => {
    const generated = generatedPart(doc);
    const table = parseTable(generated);

    it('holds exactly what the runner renders: the table, then the legend', () => {
        expect(renderGeneratedPart(renderTable(table))).toBe(generated);
    });

    it("has the runner's columns, and one row per adapter with its declared pins", () => {
        expect(table.header).toEqual(['Client', 'Pinned', ...COLUMNS.map((column) => column.heading)]);
        expect(table.rows.map((row) => row.slice(0, 2))).toEqual(ourAdapters().map(({ tags }) => [tags.client, pinsOf(tags)]));
        for (const row of table.rows) {
            expect(row).toHaveLength(table.header.length);
            for (const cell of row.slice(2)) expect(cell).toMatch(/^[✓✗–] \S/);
        }
    });
});
