/**
 * README's Examples table lists every file in examples/, and each command it gives is one a test
 * runs: a reader picks an example from README, so a file missing from the table is lost, a row for
 * a file that is gone misleads, and a command no test runs may have stopped working.
 *
 * Each row names the test that runs the example (and, after "through", the script or page that
 * test runs it from). The file that finally runs it must name the example, and pass every flag the
 * listed command uses — or, for a page of the tutorial, hold the command word for word, as
 * e2e/tutorial.test.ts runs that page's commands.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/spawn.ts';

interface ListedExample {
    file: string;
    command: string;
    /** The test that runs it, then each file it is run through, in order. */
    runners: string[];
}

const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The rows of the table under README's `## Examples` heading. */
function listedExamples(): ListedExample[] {
    const section = readme.split(/^## /m).find((part) => part.startsWith('Examples\n')) ?? '';
    const rows = section.split('\n').filter((line) => line.startsWith('| [`examples/'));
    return rows.map((row) => {
        const cells = row.split(' | ');
        const code = (cell: string | undefined) => [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
        return { file: code(cells[0])[0] ?? '', command: code(cells[2])[0] ?? '', runners: code(cells[3]) };
    });
}

const listed = listedExamples();
const exampleFiles = readdirSync(join(PROJECT_ROOT, 'examples')).map((name) => `examples/${name}`).sort();
const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');

describe("README's example list", () => {
    it('names every file in examples/ once, and nothing else', () => {
        expect(listed.map((example) => example.file).sort()).toEqual(exampleFiles);
    });

    describe.each(listed)('$file', ({ file, command, runners }) => {
        it('is listed with a command that runs it', () => {
            expect(command.startsWith(`npx tsx ${file} `) || command === `npx tsx ${file}`, command).toBe(true);
        });

        it('names the test that runs it, and each file it runs through', () => {
            expect(runners[0] ?? '', 'the first path in the last column').toMatch(/^e2e\/.+\.test\.ts$/);
            for (const path of runners) expect(existsSync(join(PROJECT_ROOT, path)), path).toBe(true);
            for (const [index, path] of runners.slice(1).entries()) expect(read(runners[index]!), `${runners[index]} runs ${path}`).toContain(`'${path}'`);
        });

        it('is run there with the flags README lists', () => {
            const runner = runners.at(-1)!;
            const source = read(runner);
            if (runner.endsWith('.md')) {
                expect(source, `${runner} holds the listed command`).toContain(command);
                return;
            }
            expect(source, `${runner} names ${file}`).toContain(`'${file}'`);
            const flags = command.split(/\s+/).filter((word) => word.startsWith('--'));
            expect(flags.filter((flag) => !source.includes(`'${flag}'`)), `flags of the listed command that ${runner} never passes`).toEqual([]);
        });
    });
});
