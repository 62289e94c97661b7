/**
 * The trace being recorded in this process, if any: one per run, like the
 * process's stdout. The callback listener's wrapper asks here, so code that
 * never traces loads nothing of the trace but this.
 */
import type { TraceRecorder } from './recorder.ts';

let active: TraceRecorder | undefined;

export function activeTrace(): TraceRecorder | undefined {
    return active;
}

export function setActiveTrace(recorder: TraceRecorder): void {
    active = recorder;
}
