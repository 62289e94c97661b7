/**
 * A client the administrator registered at the authorization server
 * (`--client-id`), used instead of dynamic registration (RFC 7591), which
 * most identity providers turn off for anonymous clients. It is public by
 * default (`token_endpoint_auth_method: none`, PKCE instead of a secret); a
 * confidential one takes its secret from the environment variable
 * DEMO_CLIENT_SECRET — never a flag, which any user on the machine can read in
 * the process list — and the secret is never printed, traced or stored.
 *
 * With `--client-issuer` the client is used only at that authorization
 * server: a resource server that names another gets neither the client_id
 * nor the secret (SEP-2352's binding, for a client that cannot re-register).
 *
 * How the secret is sent is chosen from the AS metadata's
 * `token_endpoint_auth_methods_supported`: `client_secret_basic` where listed
 * (RFC 6749 §2.3.1: every AS must support HTTP Basic; a secret in the request
 * body is NOT RECOMMENDED), otherwise `client_secret_post`.
 */
import type { AuthorizationServerMetadata } from '@modelcontextprotocol/client';
import { plainText, showIssuer } from './plain-text.ts';

export const CLIENT_SECRET_VARIABLE = 'DEMO_CLIENT_SECRET';

export interface PreRegisteredClient {
    clientId: string;
    /** From DEMO_CLIENT_SECRET; absent for a public client. */
    secret?: string;
    /** `--client-issuer`: the one authorization server the client (and its secret) may be used with. */
    issuer?: string;
}

export type ClientAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

/** The method chosen for the token endpoint, or the one line that says why there is none. */
export type AuthMethodChoice = { method: ClientAuthMethod } | { problem: string };

/**
 * RFC 8414 §2: without `token_endpoint_auth_methods_supported` the AS supports `client_secret_basic`.
 * A public client is then still tried: the list is often left out, and the AS's own answer names the problem.
 */
export function chooseAuthMethod(client: PreRegisteredClient, metadata: AuthorizationServerMetadata | undefined): AuthMethodChoice {
    const listed = metadata?.token_endpoint_auth_methods_supported;
    const supported = listed ?? ['client_secret_basic'];
    const id = showClientId(client.clientId);
    if (client.secret === undefined) {
        if (listed === undefined || listed.includes('none')) return { method: 'none' };
        return { problem: `client ${id} needs a secret here: the authorization server takes no public clients at its token endpoint (token_endpoint_auth_methods_supported has no "none"); set ${CLIENT_SECRET_VARIABLE} to the client's secret` };
    }
    if (supported.includes('client_secret_basic')) return { method: 'client_secret_basic' };
    if (supported.includes('client_secret_post')) return { method: 'client_secret_post' };
    return { problem: `${CLIENT_SECRET_VARIABLE} is set, but the authorization server takes no client secret at its token endpoint (token_endpoint_auth_methods_supported lists neither client_secret_basic nor client_secret_post); unset it to use client ${id} as a public client` };
}

/** RFC 6749 §2.3.1: client_id and secret are form-urlencoded before they are joined for HTTP Basic. */
const formEncoded = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);

/** Puts the client's credentials on a token request the way `method` says (RFC 6749 §2.3.1, §3.2.1). */
export function authenticate(method: ClientAuthMethod, client: PreRegisteredClient, headers: Headers, params: URLSearchParams): void {
    if (method === 'client_secret_basic') {
        const credentials = `${formEncoded(client.clientId)}:${formEncoded(client.secret ?? '')}`;
        headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
        params.delete('client_id');
        return;
    }
    params.set('client_id', client.clientId);
    if (method === 'client_secret_post') params.set('client_secret', client.secret ?? '');
}

/** How the narration names the method. */
export function describeAuthMethod(method: ClientAuthMethod): string {
    switch (method) {
        case 'none':
            return 'a public client: no secret, PKCE proves the code is ours (token_endpoint_auth_method none)';
        case 'client_secret_basic':
            return `its secret from ${CLIENT_SECRET_VARIABLE} goes in HTTP Basic (client_secret_basic, which every authorization server supports: RFC 6749 §2.3.1)`;
        case 'client_secret_post':
            return `its secret from ${CLIENT_SECRET_VARIABLE} goes in the request body (client_secret_post: this authorization server does not list client_secret_basic)`;
    }
}

/**
 * SEP-2352 for a client that cannot re-register: with `--client-issuer`, the client is used only at that
 * issuer, compared exactly (RFC 8414 §3.3). Without it, it goes to the AS the resource server names.
 */
export function wrongIssuerLine(client: PreRegisteredClient, issuer: string): string | undefined {
    if (client.issuer === undefined || client.issuer === issuer) return undefined;
    return `client ${showClientId(client.clientId)} is registered at ${showIssuer(client.issuer)} (--client-issuer), but the resource server's authorization server is ${showIssuer(issuer)}; nothing was sent to it`;
}

/** The line for a token endpoint that refused the pre-registered client (invalid_client, RFC 6749 §5.2). */
export function refusedClientLine(client: PreRegisteredClient, code: string): string {
    const id = showClientId(client.clientId);
    const advice =
        client.secret === undefined
            ? `if it is a confidential client, set ${CLIENT_SECRET_VARIABLE} to its secret`
            : `check that ${CLIENT_SECRET_VARIABLE} holds this client's current secret`;
    return `the authorization server refused client ${id} at its token endpoint (${code}); ${advice}`;
}

/** A client_id as shown: the user's own input, still as plain, bounded text. */
export const showClientId = (clientId: string) => JSON.stringify(plainText(clientId, 80));
