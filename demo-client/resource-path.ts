/**
 * A `--server` URL that answers 404, said with the way out: a resource
 * server that publishes protected-resource metadata (RFC 9728) says there
 * which URL is the resource, so the client looks it up — for the URL given,
 * and for `/mcp` on the same origin, where MCP servers conventionally serve —
 * and suggests that URL. The suggestion is only shown, never followed: the
 * user decides which server to send a token to.
 */
import { discoverOAuthProtectedResourceMetadata, type FetchLike } from '@modelcontextprotocol/client';
import { ClientFailure } from './failures.ts';
import { plainText, showUrl } from './plain-text.ts';

/** How long each metadata lookup may take before the 404 is reported without a suggestion. */
const LOOKUP_TIMEOUT_MS = 5000;

/** The conventional MCP endpoint path, tried when the given path has no metadata. */
const CONVENTIONAL_PATH = '/mcp';

const timedFetch: FetchLike = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });

/** The metadata's `resource` for `url`, when the server publishes one that is an http(s) URL. */
async function publishedResource(url: URL): Promise<string | undefined> {
    try {
        const { resource } = await discoverOAuthProtectedResourceMetadata(url, undefined, timedFetch);
        return typeof resource === 'string' && /^https?:\/\//i.test(resource) && URL.canParse(resource) ? resource : undefined;
    } catch {
        return undefined;
    }
}

/** The resource URL the server's metadata names in place of `server`, if it names one other than `server`. */
export async function suggestedResource(server: URL): Promise<string | undefined> {
    const candidates = [server, ...(server.pathname === CONVENTIONAL_PATH ? [] : [new URL(CONVENTIONAL_PATH, server.origin)])];
    for (const candidate of candidates) {
        const resource = await publishedResource(candidate);
        if (resource !== undefined && new URL(resource).href !== server.href) return resource;
    }
    return undefined;
}

/** The one line for a 404 from the resource server at `server`, with the metadata's resource URL when there is one. */
export async function notFoundFailure(server: URL, status: number, statusText: string | undefined): Promise<ClientFailure> {
    const answered = `the resource server answered HTTP ${status}${statusText ? ` ${plainText(statusText, 40)}` : ''} at ${showUrl(server)}`;
    const resource = await suggestedResource(server);
    if (resource === undefined) return new ClientFailure(`${answered}; no protected-resource metadata there names the right URL — use the URL the resource server printed`);
    return new ClientFailure(`${answered}; its protected-resource metadata (RFC 9728) names the resource ${showUrl(resource)} — run again with --server ${showUrl(resource)}`);
}
