/**
 * support/usage.ts: the usage text made from a parse table says every flag as a
 * user types it (a boolean that defaults to on as `--no-<name>`), with its value
 * name, description, whether it repeats and its default; `-h, --help` is always
 * there; a flag too long for the column stands on its own line.
 */
import { describe, expect, it } from 'vitest';
import { defineCommandLine, usageText } from '../../support/usage.ts';

const commandLine = defineCommandLine({
    program: 'tool',
    synopsis: 'tool [flags]',
    preamble: 'commands:\n  run    runs it',
    flags: {
        port: { type: 'string', value: '<n>', description: 'port to listen on', shownDefault: '0: any free port' },
        resource: { type: 'string', multiple: true, value: '<url>', description: 'a resource served' },
        mode: { type: 'string', default: 'fast', value: '<mode>', description: 'how to run' },
        dpop: { type: 'boolean', default: true, description: 'ask for Bearer tokens' },
        verbose: { type: 'boolean', description: 'say more' },
        'a-very-long-flag-name': { type: 'string', value: 'first|second|third', description: 'a flag longer than the column' }
    }
});

describe('usageText', () => {
    const text = usageText(commandLine);
    const lines = text.split('\n');

    it('opens with the synopsis and keeps an indented preamble as written', () => {
        expect(lines[0]).toBe('usage: tool [flags]');
        expect(text).toContain('\ncommands:\n  run    runs it\n');
    });

    it('says each flag as it is typed, with its value name, description and default', () => {
        expect(text).toMatch(/^ {2}--port <n> +port to listen on \(default: 0: any free port\)$/m);
        expect(text).toMatch(/^ {2}--resource <url> +a resource served \(repeatable\)$/m);
        expect(text).toMatch(/^ {2}--mode <mode> +how to run \(default: fast\)$/m);
        expect(text).toMatch(/^ {2}--no-dpop +ask for Bearer tokens$/m);
        expect(text).toMatch(/^ {2}--verbose +say more$/m);
        expect(text).toMatch(/^ {2}-h, --help +print this text and exit$/m);
    });

    it('puts a flag too long for the column on its own line, its description under the others', () => {
        const at = lines.indexOf('  --a-very-long-flag-name first|second|third');
        expect(at).toBeGreaterThan(0);
        const column = lines.find((line) => line.startsWith('  --verbose'))!.indexOf('say more');
        expect(lines[at + 1]).toBe(`${' '.repeat(column)}a flag longer than the column`);
    });

    it('wraps a long description under its own column, no line past 100 characters', () => {
        const long = defineCommandLine({ program: 'p', synopsis: 'p', flags: { x: { type: 'boolean', description: 'word '.repeat(60).trim() } } });
        const flagLines = usageText(long).split('\n').filter((line) => line.includes('word'));
        expect(flagLines.length).toBeGreaterThan(1);
        for (const line of flagLines) expect(line.length).toBeLessThanOrEqual(100);
        expect(flagLines.slice(1).every((line) => line.startsWith(' '.repeat(flagLines[0]!.indexOf('word'))))).toBe(true);
    });
});
