/**
 * The token store: one JSON file the user can find, read and delete, holding
 * the client's registrations (per authorization server issuer) and its tokens
 * (per resource, per issuer). It holds refresh tokens, so (RFC 6749 §10.4):
 * - every write goes to a temporary file created exclusively, never through a
 *   symlink, with mode 0600 from the first byte, then renamed over the store;
 *   a file already at the temporary name is left alone and the write refused;
 * - a store that group or others may access is refused with one line saying
 *   how to fix it — not repaired, since its tokens may already have been read
 *   (the choice `ssh` makes for a private key).
 * A corrupt or unreadable file is reported in one line and replaced by a fresh
 * login — never a crash.
 */
import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import type { HeldRefreshToken } from './revocation.ts';
import { ClientFailure } from './failures.ts';
import type { JWK } from 'jose';

interface ResourceEntry {
    /** The issuer whose tokens were saved last: what the transport sends when it asks without an issuer. */
    latestIssuer?: string;
    tokens: Record<string, StoredOAuthTokens>;
    /** The DPoP key these tokens are bound to (dpop-key.ts); it goes with the entry. */
    dpopKey?: JWK;
}

/** A registration and the redirect URI it was made with (exact matching at the AS ties the two together). */
export interface StoredClient {
    information: StoredOAuthClientInformation;
    redirectUri: string;
}

interface StoreFile {
    version: 1;
    /** The loopback port of the last registration's redirect URI, tried first so the registration stays valid. */
    callbackPort?: number;
    clients: Record<string, StoredClient>;
    resources: Record<string, ResourceEntry>;
}

const emptyStore = (): StoreFile => ({ version: 1, clients: {}, resources: {} });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether parsed JSON has the store's shape (values are checked again by the SDK's schemas when used). */
export function isStoreFile(value: unknown): value is StoreFile {
    if (!isRecord(value) || value.version !== 1 || !isRecord(value.clients) || !isRecord(value.resources)) return false;
    if (value.callbackPort !== undefined && !Number.isInteger(value.callbackPort)) return false;
    const clientsOk = Object.values(value.clients).every((entry) => isRecord(entry) && isRecord(entry.information) && typeof entry.redirectUri === 'string');
    return clientsOk && Object.values(value.resources).every((entry) => isRecord(entry) && isRecord(entry.tokens));
}

/** Group and other permission bits: any of them set means someone besides the user may read or replace the tokens. */
const SHARED_MODE_BITS = 0o077;

/** The store's text, refused (one line, how to fix it) when its mode lets group or others in (RFC 6749 §10.4). */
function readPrivateFile(path: string): string {
    const fd = openSync(path, 'r');
    try {
        const { mode } = fstatSync(fd);
        if ((mode & constants.S_IFMT) === constants.S_IFREG && (mode & SHARED_MODE_BITS) !== 0) {
            const octal = (mode & 0o777).toString(8).padStart(4, '0');
            throw new ClientFailure(`token store ${path} has mode ${octal}: group or others can reach its refresh tokens (RFC 6749 §10.4); fix it with: chmod 600 ${path}`);
        }
        return readFileSync(fd, 'utf8');
    } finally {
        closeSync(fd);
    }
}

/**
 * Creates `path` holding `text`: exclusively (O_EXCL: never an existing file, never through a symlink — POSIX
 * open(), O_CREAT|O_EXCL fails on a symlink whatever it points to), O_NOFOLLOW, mode 0600 from creation.
 */
function createPrivateFile(path: string, text: string): void {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
        writeFileSync(fd, text);
    } catch (error) {
        rmSync(path, { force: true });
        throw error;
    } finally {
        closeSync(fd);
    }
}

function writeFailure(path: string, temporary: string, error: NodeJS.ErrnoException): string {
    if (error.code === 'EEXIST') return `token store ${path} was not written: ${temporary} already exists and was left untouched (remove it if it is yours); tokens are kept for this run only`;
    return `token store ${path} cannot be written (${error.code ?? 'error'}); tokens are kept for this run only`;
}

export class TokenStore {
    private writeFailed = false;

    private constructor(
        readonly path: string,
        private readonly warn: (line: string) => void,
        private readonly data: StoreFile
    ) {}

    /** Opens the store at `path`; a missing file is an empty store, a bad one is reported and treated as empty; a shared one throws a ClientFailure. */
    static open(path: string, warn: (line: string) => void): TokenStore {
        return new TokenStore(path, warn, TokenStore.read(path, warn));
    }

    private static read(path: string, warn: (line: string) => void): StoreFile {
        if (!existsSync(path)) return emptyStore();
        let text: string;
        try {
            text = readPrivateFile(path);
        } catch (error) {
            if (error instanceof ClientFailure) throw error;
            warn(`token store ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); starting a fresh login`);
            return emptyStore();
        }
        try {
            const parsed: unknown = JSON.parse(text);
            if (isStoreFile(parsed)) return parsed;
        } catch {
            // falls through to the report below: unparseable and mis-shaped files are the same problem to the user
        }
        warn(`token store ${path} is corrupt (not a scoped-tools store); starting a fresh login and replacing it`);
        return emptyStore();
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
        return Object.entries(this.data.resources).flatMap(([resource, entry]) =>
            Object.entries(entry.tokens).flatMap(([issuer, tokens]) =>
                tokens.refresh_token ? [{ issuer, resource, clientId: this.data.clients[issuer]?.information.client_id, refreshToken: tokens.refresh_token }] : []
            )
        );
    }

    /** Writes atomically (a new private temporary file, then rename); a failed write is reported once and the run goes on in memory. */
    private persist(): void {
        const temporary = `${this.path}.${process.pid}.tmp`;
        let created = false;
        try {
            mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
            createPrivateFile(temporary, `${JSON.stringify(this.data, null, 2)}\n`);
            created = true;
            renameSync(temporary, this.path);
        } catch (error) {
            // Only a file this run created is removed: one already at the temporary name is not ours to touch.
            if (created) rmSync(temporary, { force: true });
            if (!this.writeFailed) this.warn(writeFailure(this.path, temporary, error as NodeJS.ErrnoException));
            this.writeFailed = true;
        }
    }
}
