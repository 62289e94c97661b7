/**
 * `--trace <file>`: record every HTTP exchange of this client run and write it
 * as a Markdown sequence diagram when the run ends, however it ends. While a
 * trace is active the global fetch records what the process sends, the
 * callback listener what it receives, and the session's events add the notes.
 */
import { writeFileSync } from 'node:fs';
import { ClientFailure } from '../failures.ts';
import type { SessionEvent } from '../session.ts';
import { setActiveTrace } from './active.ts';
import { traceMarkdown } from './markdown.ts';
import { TraceRecorder, type TraceSetting } from './recorder.ts';
import { tracingFetch } from './traced-fetch.ts';

export interface Trace {
    event(event: SessionEvent): void;
    /** Writes the file; returns how many exchanges it holds. */
    write(): number;
}

/** Starts recording; call before the session is opened, so every fetch it makes passes the trace. */
export function startTrace(file: string, setting: TraceSetting): Trace {
    const recorder = new TraceRecorder(setting);
    const save = () => {
        try {
            writeFileSync(file, traceMarkdown(recorder));
        } catch (error) {
            throw new ClientFailure(`cannot write the trace file (--trace): ${(error as NodeJS.ErrnoException).code ?? 'write failed'}`, 2);
        }
        return recorder.exchanges.length;
    };
    // An unwritable path fails now, not after the whole run.
    save();
    setActiveTrace(recorder);
    globalThis.fetch = tracingFetch(recorder, globalThis.fetch);
    return { event: (event) => recorder.event(event), write: save };
}
