/**
 * The token store: one JSON file the user can find, read and delete, holding
 * the client's registrations (per authorization server issuer) and its tokens
 * (per resource, per issuer). Created with mode 0600 because it holds refresh
 * tokens. A corrupt or unreadable file is reported in one line and replaced by
 * a fresh login — never a crash.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
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

export class TokenStore {
    private writeFailed = false;

    private constructor(
        readonly path: string,
        private readonly warn: (line: string) => void,
        private readonly data: StoreFile
    ) {}

    /** Opens the store at `path`; a missing file is an empty store, a bad one is reported and treated as empty. */
    static open(path: string, warn: (line: string) => void): TokenStore {
        return new TokenStore(path, warn, TokenStore.read(path, warn));
    }

    private static read(path: string, warn: (line: string) => void): StoreFile {
        if (!existsSync(path)) return emptyStore();
        let text: string;
        try {
            text = readFileSync(path, 'utf8');
        } catch (error) {
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

    /** Writes atomically (temporary file, then rename) with mode 0600; a failed write is reported once and the run goes on in memory. */
    private persist(): void {
        const temporary = `${this.path}.${process.pid}.tmp`;
        try {
            mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
            writeFileSync(temporary, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
            chmodSync(temporary, 0o600);
            renameSync(temporary, this.path);
        } catch (error) {
            rmSync(temporary, { force: true });
            if (!this.writeFailed) this.warn(`token store ${this.path} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); tokens are kept for this run only`);
            this.writeFailed = true;
        }
    }
}
