/**
 * What a command-line parser does with a bad command line, read in this process: the parsers end the process
 * themselves (support/args.ts `usageError`: one line on stderr, exit status 2), so `process.exit` is caught
 * and what was written to stderr is kept. Each program's e2e tests run a few bad command lines through the
 * real process too, so the line and the status are shown to reach a terminal.
 */
import { vi } from 'vitest';

class ExitCalled extends Error {
    constructor(readonly code: number | string | null | undefined) {
        super(`process.exit(${String(code)})`);
    }
}

/** The exit status and stderr text of `parse` ending the process; throws if it returns or fails some other way. */
export function usageErrorOf(parse: () => unknown): { code: number | string | null | undefined; stderr: string } {
    let stderr = '';
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
        throw new ExitCalled(code);
    });
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
    });
    try {
        parse();
    } catch (error) {
        if (error instanceof ExitCalled) return { code: error.code, stderr };
        throw error;
    } finally {
        exit.mockRestore();
        write.mockRestore();
    }
    throw new Error(`parsed without a usage error${stderr ? `; stderr: ${stderr}` : ''}`);
}
