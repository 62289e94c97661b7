/**
 * Watching the SDK work, without doing its work: a fetch wrapper handed to
 * the transport that notes what a newcomer should see — the resource's 401 and
 * 403 challenges, the metadata documents, the registration, each token
 * response's grant type and granted scope. It reads copies of responses and
 * never records tokens, codes or secrets.
 */
import { extractWWWAuthenticateParams, type FetchLike } from '@modelcontextprotocol/client';
import { plainText, showUrl } from './plain-text.ts';

export type ObservedEvent =
    | { kind: 'challenge'; status: 401 | 403; error?: string; scope?: string; resourceMetadata?: URL }
    | { kind: 'resource-metadata'; authorizationServers: string[] }
    | { kind: 'server-metadata'; issuer?: string; issParameterSupported: boolean }
    | { kind: 'registration'; status: number; clientId?: string; redirectUri?: string }
    | { kind: 'token'; grantType: string; status: number; scope?: string; error?: string; refreshToken: boolean; tokenType?: string };

const readJson = async (response: Response): Promise<Record<string, unknown>> => {
    const value: unknown = await response
        .clone()
        .json()
        .catch(() => undefined);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
};

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * The authorization server did not answer at all (refused, reset, timed out) —
 * e.g. it stopped in the middle of a step-up. A TypeError, as the failed fetch
 * was, so the SDK treats it exactly as before; it only knows which server.
 */
export class AuthorizationServerUnreachableError extends TypeError {
    constructor(
        readonly origin: string,
        readonly reason: string | undefined,
        options: { cause: unknown }
    ) {
        super(`cannot reach the authorization server ${origin} (${reason ?? 'network error'})`, options);
    }
}

/**
 * The resource server did not answer at all: usually nothing listens at the
 * `--server` URL (a stopped server, a mistyped port). Named by that URL,
 * redacted like every URL shown; a TypeError for the same reason as above.
 */
export class ResourceServerUnreachableError extends TypeError {
    constructor(
        readonly url: string,
        readonly reason: string | undefined,
        options: { cause: unknown }
    ) {
        super(
            reason === 'ECONNREFUSED'
                ? `nothing answers at ${url} (connection refused); start the resource server, or run again with --server set to the URL it printed`
                : `cannot reach the resource server at ${url} (${reason ?? 'network error'})`,
            options
        );
    }
}

/** Why a fetch failed, from its cause: a system error code (ECONNREFUSED) or the fetch spec's reason (bad port). */
export function networkReason(error: TypeError): string | undefined {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (typeof cause?.code === 'string') return cause.code;
    return typeof cause?.message === 'string' ? plainText(cause.message, 60) : undefined;
}

const AUTHORIZATION_SERVER_REQUESTS = new Set(['as-metadata', 'registration', 'token']);

/**
 * Every place discovery looks for AS metadata: RFC 8414 §3.1 inserts the well-known segment before the
 * issuer's path, OpenID Connect Discovery §4 appends it (the SDK tries both, and the root for a path-less issuer).
 */
const AS_METADATA_PATH = /^\/\.well-known\/(oauth-authorization-server|openid-configuration)(\/|$)|\/\.well-known\/openid-configuration$/;

/** What kind of OAuth request this is, judged by its URL and body the way the SDK sends them. */
function classify(url: URL, init: RequestInit | undefined, resourceUrl: string): 'resource' | 'prm' | 'as-metadata' | 'registration' | 'token' | 'other' {
    if (url.href === resourceUrl) return 'resource';
    if (url.pathname.startsWith('/.well-known/oauth-protected-resource')) return 'prm';
    if (AS_METADATA_PATH.test(url.pathname)) return 'as-metadata';
    if (init?.method === 'POST' && init.body instanceof URLSearchParams && init.body.has('grant_type')) return 'token';
    if (init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('"redirect_uris"')) return 'registration';
    return 'other';
}

/** A fetch for the transport that reports each noteworthy exchange to `onEvent`; an error `onEvent` throws fails the request. */
export function observingFetch(resourceUrl: URL, onEvent: (event: ObservedEvent) => void, base: FetchLike = fetch): FetchLike {
    return async (input, init) => {
        const url = new URL(String(input instanceof Request ? input.url : input));
        const kind = classify(url, init, resourceUrl.href);
        const response = await base(input, init).catch((error: unknown) => {
            if (!(error instanceof TypeError)) throw error;
            if (kind === 'resource') throw new ResourceServerUnreachableError(showUrl(url), networkReason(error), { cause: error });
            if (!AUTHORIZATION_SERVER_REQUESTS.has(kind)) throw error;
            throw new AuthorizationServerUnreachableError(plainText(url.origin, 200), networkReason(error), { cause: error });
        });
        if (kind === 'resource' && (response.status === 401 || response.status === 403)) {
            const { error, scope, resourceMetadataUrl } = extractWWWAuthenticateParams(response);
            onEvent({ kind: 'challenge', status: response.status, error, scope, resourceMetadata: resourceMetadataUrl });
        } else if (kind === 'prm' && response.ok) {
            const servers = (await readJson(response)).authorization_servers;
            onEvent({ kind: 'resource-metadata', authorizationServers: Array.isArray(servers) ? servers.filter((s) => typeof s === 'string') : [] });
        } else if (kind === 'as-metadata' && response.ok) {
            const metadata = await readJson(response);
            onEvent({ kind: 'server-metadata', issuer: text(metadata.issuer), issParameterSupported: metadata.authorization_response_iss_parameter_supported === true });
        } else if (kind === 'registration') {
            const submitted = JSON.parse(init!.body as string) as { redirect_uris?: unknown[] };
            onEvent({ kind: 'registration', status: response.status, clientId: text((await readJson(response)).client_id), redirectUri: text(submitted.redirect_uris?.[0]) });
        } else if (kind === 'token') {
            const body = await readJson(response);
            const grantType = (init!.body as URLSearchParams).get('grant_type')!;
            onEvent({ kind: 'token', grantType, status: response.status, scope: text(body.scope), error: text(body.error), refreshToken: typeof body.refresh_token === 'string', tokenType: text(body.token_type) });
        }
        return response;
    };
}
