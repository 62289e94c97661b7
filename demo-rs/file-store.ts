/**
 * The in-memory file store the tools work on: a bounded map of short text
 * files, seeded with a couple of files so `list-files` has something to show.
 * Nothing is written to disk; a restart brings the seed back.
 */

export interface FileEntry {
    name: string;
    bytes: number;
}

/** At most this many files, so a client cannot grow the process without bound. */
export const MAX_FILES = 100;

export const SEED_FILES: Readonly<Record<string, string>> = {
    'README.md': 'Files in this store are served by the demo Resource Server.\n',
    'notes.txt': 'list-files and read-file need files:read; write-file needs files:write.\n'
};

export class FileStore {
    private readonly files = new Map<string, string>();

    constructor(seed: Readonly<Record<string, string>> = SEED_FILES) {
        for (const [name, content] of Object.entries(seed)) this.files.set(name, content);
    }

    list(): FileEntry[] {
        return [...this.files.entries()]
            .map(([name, content]) => ({ name, bytes: Buffer.byteLength(content) }))
            .sort((a, b) => a.name.localeCompare(b.name));
    }

    read(name: string): string | undefined {
        return this.files.get(name);
    }

    /** Creates or replaces `name`; returns undefined when the store is full and `name` is new. */
    write(name: string, content: string): { created: boolean } | undefined {
        const created = !this.files.has(name);
        if (created && this.files.size >= MAX_FILES) return undefined;
        this.files.set(name, content);
        return { created };
    }

    /** Removes every file and says how many there were. */
    purge(): number {
        const removed = this.files.size;
        this.files.clear();
        return removed;
    }
}
