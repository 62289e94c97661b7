/**
 * `--trace <file>`: record every HTTP exchange of this client run and write it
 * as a Markdown sequence diagram when the run ends, however it ends. While a
 * trace is active the global fetch records what the process sends, the
 * callback listener what it receives, and the session's events add the notes.
 *
 * The file is written once, when the run ends, and only when the run made at
 * least one HTTP exchange: a run that stops before its first request (a bad
 * flag, a refused store) leaves an earlier trace at that path as it was. It is
 * written like the token store (private-file.ts): never through a symlink, a
 * symlink at the path refused in one line, atomically, mode 0600. A trace
 * holds labels, not secrets, but it still maps the user's session — which
 * servers, which client, which scopes, which tools — so it is private until
 * the user chooses to share it.
 */
import { accessSync, constants, lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { ClientFailure } from '../failures.ts';
import { FileWriteError, replaceFile } from '../private-file.ts';
import type { SessionEvent } from '../session-events.ts';
import { setActiveTrace } from './active.ts';
import { traceMarkdown } from './markdown.ts';
import { TraceRecorder, type TraceSetting } from './recorder.ts';
import { tracingFetch } from './traced-fetch.ts';

export interface Trace {
    event(event: SessionEvent): void;
    /** Writes the file if the run made any HTTP exchange; returns the line that says what was written. */
    write(): string;
}

const TRACE_MODE = 0o600;

/** A --trace failure: exit 2, as for any other flag that cannot be honoured. */
const traceFailure = (line: string) => new ClientFailure(line, 2);

const symbolicLinkRefusal = (file: string) =>
    `trace file ${file} is a symbolic link: refused, so that nothing is written through it to another file; remove the link, or pass --trace the path of a regular file`;

/** Fails now, before the run, for a path the trace could not be written to at the end — and writes nothing there. */
function checkTracePath(file: string): void {
    const found = lstatSync(file, { throwIfNoEntry: false });
    if (found?.isSymbolicLink()) throw traceFailure(symbolicLinkRefusal(file));
    if (found?.isDirectory()) throw traceFailure('cannot write the trace file (--trace): EISDIR');
    try {
        // The file is replaced by a rename, so it is the directory that must be writable.
        accessSync(dirname(file), constants.W_OK);
    } catch (error) {
        throw traceFailure(`cannot write the trace file (--trace): ${(error as NodeJS.ErrnoException).code ?? 'write failed'}`);
    }
}

function writeFailure(file: string, error: unknown): ClientFailure {
    const failure = error instanceof FileWriteError ? error.failure : { kind: 'error' as const, code: 'write failed' };
    switch (failure.kind) {
        case 'symbolic-link':
            return traceFailure(symbolicLinkRefusal(file));
        case 'temporary-exists':
            return traceFailure(`trace file ${file} was not written: ${failure.temporary} already exists and was left untouched (remove it if it is yours)`);
        case 'error':
            return traceFailure(`cannot write the trace file (--trace): ${failure.code}`);
    }
}

/** Starts recording; call before the session is opened, so every fetch it makes passes the trace. */
export function startTrace(file: string, setting: TraceSetting): Trace {
    checkTracePath(file);
    const recorder = new TraceRecorder(setting);
    const save = () => {
        const exchanges = recorder.exchanges.length;
        if (exchanges === 0) return `trace: no HTTP exchange was made, so ${file} was not written`;
        try {
            replaceFile(file, traceMarkdown(recorder), TRACE_MODE);
        } catch (error) {
            throw writeFailure(file, error);
        }
        return `trace: ${exchanges} HTTP ${exchanges === 1 ? 'exchange' : 'exchanges'} written to ${file}`;
    };
    setActiveTrace(recorder);
    globalThis.fetch = tracingFetch(recorder, globalThis.fetch);
    return { event: (event) => recorder.event(event), write: save };
}
