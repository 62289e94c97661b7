/**
 * The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8707 §2),
 * checked in the order the specifications make safe:
 *
 * 1. Who is asking, and where would the answer go? An unknown client or a
 *    redirect_uri that is not exactly one of its registered strings (or, with
 *    `--loopback-any-port`, one of them on another port: redirect-uri-match.ts)
 *    must not be redirected to (RFC 6749 §4.1.2.1): the person gets an error page.
 * 2. Only then may errors travel back to the client, as a redirect carrying
 *    `error`, `state` and `iss` (RFC 9207 §2).
 */
import { DEFAULT_SCOPE, DEMO_SUBJECT, LIMITS } from '../policy.ts';
import type { Params } from '../http/params.ts';
import type { ClientRegistry, RegisteredClient } from '../stores/clients.ts';
import { CODE_CHALLENGE_METHOD, isS256Challenge } from './pkce.ts';
import { redirectUriMatches } from './redirect-uri-match.ts';
import { isAcceptableResource, isServedResource } from './resource.ts';
import { areKnownScopes, grantableScopes, parseScope } from './scope.ts';

export interface AuthorizationRequest {
    client: RegisteredClient;
    redirectUri: string;
    redirectUriSent: boolean;
    state: string | undefined;
    codeChallenge: string;
    requestedScopes: string[];
    grantedScopes: string[];
    resource: string;
    subject: string;
}

/** Errors shown to the person on an error page, never sent to a redirect URI. */
export type PageError = 'invalid_client' | 'invalid_redirect_uri' | 'invalid_request' | 'invalid_consent';

/** RFC 6749 §4.1.2.1 (+ RFC 8707 §2 invalid_target): errors the client receives on its redirect URI. */
export type RedirectError = 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'invalid_target' | 'access_denied';

export type AuthorizationCheck =
    | { verdict: 'error-page'; error: PageError; client: RegisteredClient | undefined }
    | { verdict: 'error-redirect'; client: RegisteredClient; redirectUri: string; state: string | undefined; error: RedirectError; description: string }
    | { verdict: 'consent'; request: AuthorizationRequest };

export interface AuthorizationPolicy {
    /** `--resource`: the allow-list (empty: every acceptable resource). */
    servedResources: readonly string[];
    /** `--loopback-any-port`: a loopback redirect_uri may differ from the registered one in its port (RFC 8252 §7.3). */
    loopbackAnyPort: boolean;
}

export function checkAuthorizationRequest(params: Params, clients: ClientRegistry, policy: AuthorizationPolicy): AuthorizationCheck {
    const { servedResources } = policy;
    // Input that does not decode cannot be trusted to name the right client or redirect URI.
    if (params.malformed) return errorPage('invalid_request', undefined);
    const client = identifyClient(params, clients);
    if (typeof client === 'string') return errorPage(client, undefined);
    const redirect = resolveRedirectUri(params, client, policy.loopbackAnyPort);
    if (typeof redirect === 'string') return errorPage(redirect, client);

    const state = returnableState(params);
    const fail = (error: RedirectError, description: string): AuthorizationCheck => ({
        verdict: 'error-redirect',
        client,
        redirectUri: redirect.uri,
        state,
        error,
        description
    });

    // RFC 6749 §3.1: parameters MUST NOT be included more than once.
    if (params.hasRepeatedNames()) return fail('invalid_request', 'a request parameter appears more than once');
    // RFC 6749 §4.1.2.1: state is echoed back, so the AS bounds what it will echo.
    if (params.get('state') !== undefined && state === undefined) return fail('invalid_request', `state must be at most ${LIMITS.stateLength} characters`);

    const responseType = params.get('response_type');
    // RFC 6749 §4.1.1: response_type is required.
    if (responseType === undefined) return fail('invalid_request', 'response_type is required');
    // RFC 6749 §4.1.2.1: this AS issues codes only.
    if (responseType !== 'code') return fail('unsupported_response_type', 'only response_type=code is supported');

    const codeChallenge = params.get('code_challenge');
    // RFC 7636 §4.4.1 / RFC 9700 §2.1.1: PKCE is required for every client.
    if (codeChallenge === undefined) return fail('invalid_request', 'code_challenge is required (PKCE)');
    // RFC 7636 §4.3: a missing method means "plain", which this AS refuses.
    if (params.get('code_challenge_method') !== CODE_CHALLENGE_METHOD) return fail('invalid_request', 'code_challenge_method must be S256');
    // RFC 7636 §4.2: an S256 challenge is a base64url SHA-256 digest.
    if (!isS256Challenge(codeChallenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 digest');

    const requestedScopes = parseScope(params.get('scope') ?? DEFAULT_SCOPE);
    // RFC 6749 §3.3: scope-token *( SP scope-token ), names this AS defines.
    if (!requestedScopes || !areKnownScopes(requestedScopes)) return fail('invalid_scope', 'scope names an unknown scope or is malformed');
    const grantedScopes = grantableScopes(requestedScopes);
    // RFC 6749 §4.1.2.1: nothing grantable left means nothing to consent to.
    if (grantedScopes.length === 0) return fail('invalid_scope', 'none of the requested scopes can be granted');

    const resource = params.get('resource');
    // RFC 8707 §2: the token's audience must be named, as an absolute URI.
    if (resource === undefined || !isAcceptableResource(resource)) return fail('invalid_target', 'resource must be the absolute http(s) URL of the protected resource');
    // RFC 8707 §2: a resource this AS does not serve is refused, not turned into a token its server would refuse.
    if (!isServedResource(resource, servedResources)) return fail('invalid_target', 'this authorization server issues no tokens for that resource');

    return {
        verdict: 'consent',
        request: {
            client,
            redirectUri: redirect.uri,
            redirectUriSent: redirect.sent,
            state,
            codeChallenge,
            requestedScopes,
            grantedScopes,
            resource,
            subject: DEMO_SUBJECT
        }
    };
}

function errorPage(error: PageError, client: RegisteredClient | undefined): AuthorizationCheck {
    return { verdict: 'error-page', error, client };
}

// RFC 6749 §4.1.2.1: without a known client there is no safe place to send an error.
function identifyClient(params: Params, clients: ClientRegistry): RegisteredClient | PageError {
    if (params.isRepeated('client_id')) return 'invalid_request';
    const clientId = params.get('client_id');
    return (clientId !== undefined && clients.find(clientId)) || 'invalid_client';
}

// RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: exact string comparison against the registered URIs (RFC 8252 §7.3 with
// --loopback-any-port); redirect_uri may be omitted only when exactly one is registered. The URI used is the one sent.
function resolveRedirectUri(params: Params, client: RegisteredClient, loopbackAnyPort: boolean): { uri: string; sent: boolean } | PageError {
    if (params.isRepeated('redirect_uri')) return 'invalid_redirect_uri';
    const sent = params.get('redirect_uri');
    if (sent === undefined) return client.redirectUris.length === 1 ? { uri: client.redirectUris[0], sent: false } : 'invalid_redirect_uri';
    const registered = client.redirectUris.some((uri) => redirectUriMatches(sent, uri, loopbackAnyPort));
    return registered ? { uri: sent, sent: true } : 'invalid_redirect_uri';
}

/** The state to echo on the redirect: only a single value of bounded length is ever sent back. */
function returnableState(params: Params): string | undefined {
    const state = params.get('state');
    if (params.isRepeated('state') || state === undefined || state.length > LIMITS.stateLength) return undefined;
    return state;
}
