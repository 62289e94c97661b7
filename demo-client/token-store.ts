/**
 * The token store: one JSON file the user can find, read and delete, holding
 * the client's registrations (per authorization server issuer) and its tokens
 * (per resource, per issuer). What is on disk and how it is read safely is
 * store-file.ts; every write replaces the file through private-file.ts (an
 * exclusive 0600 temporary file, never through a symlink, then rename).
 * A file the client could not understand is never overwritten: a corrupt
 * store (not JSON, or not a store's shape) is set aside under a new name and
 * the run starts a fresh login, so its tokens stay where the user can see them
 * (and `logout --store <that name>` can still revoke them); one it cannot read
 * at all is left as it is and the run keeps its tokens in memory. Each case is
 * one line — never a crash.
 */
import { linkSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import type { JWK } from 'jose';
import { FileWriteError, replaceFile } from './private-file.ts';
import type { HeldRefreshToken } from './revocation.ts';
import { emptyStore, readStore, refreshTokensIn, type StoreFile, type StoredClient } from './store-file.ts';

export type { StoredClient } from './store-file.ts';

const STORE_MODE = 0o600;

/** Moves a corrupt store to a new name next to it; link(2) never replaces an existing file, so nothing is lost. */
function setAside(path: string): string {
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}`;
    linkSync(path, aside);
    rmSync(path);
    return aside;
}

function writeFailure(path: string, error: unknown): string {
    const failure = error instanceof FileWriteError ? error.failure : { kind: 'error' as const, code: (error as NodeJS.ErrnoException).code ?? 'error' };
    const inMemory = 'tokens are kept for this run only';
    switch (failure.kind) {
        case 'temporary-exists':
            return `token store ${path} was not written: ${failure.temporary} already exists and was left untouched (remove it if it is yours); ${inMemory}`;
        case 'symbolic-link':
            return `token store ${path} was not written: it is a symbolic link, and a store is never written through one; ${inMemory}`;
        case 'error':
            return `token store ${path} cannot be written (${failure.code}); ${inMemory}`;
    }
}

export class TokenStore {
    private writeFailed = false;

    private constructor(
        readonly path: string,
        private readonly warn: (line: string) => void,
        private readonly data: StoreFile,
        /** Set when a file the client could not read is at the path: it is left alone, so nothing is written. */
        private readonly inMemoryOnly = false
    ) {}

    /**
     * Opens the store at `path`: a missing file is an empty store, a corrupt or unreadable one is reported and
     * treated as empty; a symbolic link or a store others can reach throws a ClientFailure.
     */
    static open(path: string, warn: (line: string) => void): TokenStore {
        const read = readStore(path);
        switch (read.state) {
            case 'missing':
                return new TokenStore(path, warn, emptyStore());
            case 'loaded':
                return new TokenStore(path, warn, read.data);
            case 'unreadable':
                warn(`token store ${path} cannot be read (${read.code}); starting a fresh login and leaving it as it is, so tokens are kept for this run only`);
                return new TokenStore(path, warn, emptyStore(), true);
            case 'corrupt':
                return TokenStore.replacingCorrupt(path, warn);
        }
    }

    private static replacingCorrupt(path: string, warn: (line: string) => void): TokenStore {
        const problem = `token store ${path} is corrupt (not a scoped-tools store)`;
        try {
            warn(`${problem}; kept it as ${setAside(path)} and starting a fresh login`);
            return new TokenStore(path, warn, emptyStore());
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code ?? 'error';
            warn(`${problem} and could not be set aside (${code}); starting a fresh login and leaving it as it is, so tokens are kept for this run only`);
            return new TokenStore(path, warn, emptyStore(), true);
        }
    }

    get callbackPort(): number | undefined {
        return this.data.callbackPort;
    }

    clientFor(issuer: string): StoredClient | undefined {
        return this.data.clients[issuer];
    }

    saveClient(issuer: string, information: StoredOAuthClientInformation, redirectUri: string): void {
        this.data.clients[issuer] = { information, redirectUri };
        this.data.callbackPort = Number(new URL(redirectUri).port);
        this.persist();
    }

    forgetClient(issuer: string): void {
        delete this.data.clients[issuer];
        this.persist();
    }

    /** Tokens for `resource` from `issuer`, or — without an issuer — the set saved last for that resource. */
    tokensFor(resource: string, issuer?: string): StoredOAuthTokens | undefined {
        const entry = this.data.resources[resource];
        const key = issuer ?? entry?.latestIssuer;
        return key === undefined ? undefined : entry?.tokens[key];
    }

    saveTokens(resource: string, issuer: string, tokens: StoredOAuthTokens): void {
        const entry = (this.data.resources[resource] ??= { tokens: {} });
        entry.tokens[issuer] = tokens;
        entry.latestIssuer = issuer;
        this.persist();
    }

    dpopKeyFor(resource: string): JWK | undefined {
        return this.data.resources[resource]?.dpopKey;
    }

    saveDpopKey(resource: string, key: JWK): void {
        (this.data.resources[resource] ??= { tokens: {} }).dpopKey = key;
        this.persist();
    }

    forgetTokens(resource: string, issuer?: string): void {
        const entry = this.data.resources[resource];
        if (!entry) return;
        if (issuer === undefined) delete this.data.resources[resource];
        else delete entry.tokens[issuer];
        this.persist();
    }

    /** Every refresh token on file, with the issuer that issued it and the client_id it was issued to. */
    heldRefreshTokens(): HeldRefreshToken[] {
        return refreshTokensIn(this.data);
    }

    /** Writes atomically (private-file.ts); a failed write is reported once and the run goes on in memory. */
    private persist(): void {
        if (this.inMemoryOnly) return;
        try {
            mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
            replaceFile(this.path, `${JSON.stringify(this.data, null, 2)}\n`, STORE_MODE);
        } catch (error) {
            if (!this.writeFailed) this.warn(writeFailure(this.path, error));
            this.writeFailed = true;
        }
    }
}
