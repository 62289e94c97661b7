/**
 * Writing one of the files the client leaves on disk — the token store, a
 * `--trace` — so that nothing planted at its path can redirect the write or
 * make it readable by others:
 * - the text goes to a temporary file next to the target, created exclusively
 *   (O_CREAT|O_EXCL: never an existing file, never through a symlink — POSIX
 *   open() fails on a symlink whatever it points to; O_NOFOLLOW besides) with
 *   its mode from the first byte, then renamed over the target: rename(2)
 *   replaces a symlink at the target itself and never writes to what it names;
 * - a symlink at the target is refused all the same, so the caller can say
 *   what it found rather than silently replacing someone's link;
 * - a reader sees the old file or the new one, never half of one.
 * Each caller turns a FileWriteError into its own one-line message.
 */
import { closeSync, constants, lstatSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export type FileWriteFailure =
    | { kind: 'symbolic-link' }
    /** Something already exists at the temporary name: not ours, so left alone. */
    | { kind: 'temporary-exists'; temporary: string }
    | { kind: 'error'; code: string };

export class FileWriteError extends Error {
    constructor(readonly failure: FileWriteFailure) {
        super(failure.kind);
    }
}

/** Whether `path` is a symbolic link (dangling ones included); a missing path is not. */
export function isSymbolicLink(path: string): boolean {
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
}

/** The temporary name a write to `path` goes through: next to it (so rename stays on one file system), unique to this process. */
const temporaryNameFor = (path: string) => `${path}.${process.pid}.tmp`;

/** Replaces `path` with a file holding `text`, created with `mode`; throws a FileWriteError and leaves nothing behind when it cannot. */
export function replaceFile(path: string, text: string, mode: number): void {
    if (isSymbolicLink(path)) throw new FileWriteError({ kind: 'symbolic-link' });
    const temporary = temporaryNameFor(path);
    createExclusively(temporary, text, mode);
    try {
        renameSync(temporary, path);
    } catch (error) {
        // Only the file this call created is removed.
        rmSync(temporary, { force: true });
        throw new FileWriteError({ kind: 'error', code: errorCode(error) });
    }
}

function createExclusively(temporary: string, text: string, mode: number): void {
    let fd: number;
    try {
        fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    } catch (error) {
        const code = errorCode(error);
        // EEXIST: a file or a symlink is at the temporary name; ELOOP: O_NOFOLLOW met a symlink there.
        if (code === 'EEXIST' || code === 'ELOOP') throw new FileWriteError({ kind: 'temporary-exists', temporary });
        throw new FileWriteError({ kind: 'error', code });
    }
    try {
        writeFileSync(fd, text);
    } catch (error) {
        rmSync(temporary, { force: true });
        throw new FileWriteError({ kind: 'error', code: errorCode(error) });
    } finally {
        closeSync(fd);
    }
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'error';
