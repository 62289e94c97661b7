/**
 * The token store on disk: its JSON shape, and reading it without trusting
 * the path. It holds refresh tokens, so (RFC 6749 §10.4):
 * - a symbolic link at the store's path is refused, never followed: a link
 *   would let whoever planted it choose which file the tokens are read from
 *   (and, for a mode check, which file's mode the user is told to change);
 * - a store that group or others may access is refused with one line saying
 *   how to fix it — not repaired, since its tokens may already have been read
 *   (the choice `ssh` makes for a private key).
 * Everything else is an answer, not an exception: missing, unreadable,
 * corrupt (with whatever JSON could be parsed, so `logout` can still revoke
 * the refresh tokens in its well-formed entries), or loaded.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import type { StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import type { JWK } from 'jose';
import { ClientFailure } from './failures.ts';
import type { HeldRefreshToken } from './revocation.ts';

export interface ResourceEntry {
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

export interface StoreFile {
    version: 1;
    /** The loopback port of the last registration's redirect URI, tried first so the registration stays valid. */
    callbackPort?: number;
    clients: Record<string, StoredClient>;
    resources: Record<string, ResourceEntry>;
}

export type StoreRead =
    | { state: 'missing' }
    | { state: 'loaded'; data: StoreFile }
    /** The file could not be read at all (a directory in its place, no permission): `code` says why. */
    | { state: 'unreadable'; code: string }
    /** Read, but not a store: `parsed` is the JSON when the text was JSON at all. */
    | { state: 'corrupt'; parsed?: unknown };

export const emptyStore = (): StoreFile => ({ version: 1, clients: {}, resources: {} });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether parsed JSON has the store's shape (values are checked again by the SDK's schemas when used). */
export function isStoreFile(value: unknown): value is StoreFile {
    if (!isRecord(value) || value.version !== 1 || !isRecord(value.clients) || !isRecord(value.resources)) return false;
    if (value.callbackPort !== undefined && !Number.isInteger(value.callbackPort)) return false;
    const clientsOk = Object.values(value.clients).every((entry) => isRecord(entry) && isRecord(entry.information) && typeof entry.redirectUri === 'string');
    return clientsOk && Object.values(value.resources).every((entry) => isRecord(entry) && isRecord(entry.tokens));
}

/**
 * Every refresh token in well-formed entries of `value` — a store, or JSON that is only partly one — with the
 * issuer that issued it and the client_id it was issued to. Entries of the wrong shape are skipped, not fatal.
 */
export function refreshTokensIn(value: unknown): HeldRefreshToken[] {
    if (!isRecord(value) || !isRecord(value.resources)) return [];
    const clients = isRecord(value.clients) ? value.clients : {};
    return Object.entries(value.resources).flatMap(([resource, entry]) => {
        if (!isRecord(entry) || !isRecord(entry.tokens)) return [];
        return Object.entries(entry.tokens).flatMap(([issuer, tokens]) => {
            if (!isRecord(tokens) || typeof tokens.refresh_token !== 'string' || tokens.refresh_token === '') return [];
            return [{ issuer, resource, clientId: clientIdOf(clients[issuer]), refreshToken: tokens.refresh_token }];
        });
    });
}

function clientIdOf(client: unknown): string | undefined {
    return isRecord(client) && isRecord(client.information) && typeof client.information.client_id === 'string' ? client.information.client_id : undefined;
}

/** The one line for a symbolic link at the store's path: what it is, that it is refused, and what to do instead. */
export const symbolicLinkRefusal = (path: string) =>
    `token store ${path} is a symbolic link: refused, so that no one can choose where refresh tokens are read from or written to (RFC 6749 §10.4); remove the link, or pass --store the path of a regular file`;

/** Reads the store at `path`; throws a ClientFailure only for a symbolic link or a store others can reach. */
export function readStore(path: string): StoreRead {
    const found = lstatSync(path, { throwIfNoEntry: false });
    if (found === undefined) return { state: 'missing' };
    if (found.isSymbolicLink()) throw new ClientFailure(symbolicLinkRefusal(path));
    let text: string;
    try {
        text = readPrivateFile(path);
    } catch (error) {
        if (error instanceof ClientFailure) throw error;
        return { state: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'error' };
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return { state: 'corrupt' };
    }
    return isStoreFile(parsed) ? { state: 'loaded', data: parsed } : { state: 'corrupt', parsed };
}

/** Group and other permission bits: any of them set means someone besides the user may read or replace the tokens. */
const SHARED_MODE_BITS = 0o077;

/** The file's text, opened without following a link; refused (one line, how to fix it) when its mode lets group or others in (RFC 6749 §10.4). */
function readPrivateFile(path: string): string {
    let fd: number;
    try {
        // O_NOFOLLOW: a link planted between the lstat above and this open is refused too (ELOOP).
        fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new ClientFailure(symbolicLinkRefusal(path));
        throw error;
    }
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
