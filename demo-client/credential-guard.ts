/**
 * The last gate before a credential leaves the process: a fetch wrapper that
 * refuses any request carrying one — an `Authorization` header (an access
 * token, client authentication) or a form body with a code, verifier, refresh
 * token, client secret or token to revoke — to a URL that fails the
 * https-or-loopback rule (credential-endpoint.ts). Discovery already checked
 * the endpoints it named; this catches every other path a credential could
 * take (a stored token sent before any discovery, an SDK fallback), so the
 * rule holds however the request came about.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { InsecureEndpointError, isHttpsOrLoopback } from './credential-endpoint.ts';
import { showUrl } from './plain-text.ts';

/** Form parameters that are credentials (RFC 6749 §4.1.3, §6, §2.3.1; RFC 7636 §4.5; RFC 7009 §2.1; RFC 7523 §2.2). */
const CREDENTIAL_PARAMETERS = ['code', 'code_verifier', 'refresh_token', 'client_secret', 'token', 'client_assertion'];

/** What credential a request carries, if any, in words for the refusal line. */
function credentialIn(init: RequestInit | undefined): string | undefined {
    if (new Headers(init?.headers).has('authorization')) return 'an Authorization header';
    const body = init?.body;
    const form = body instanceof URLSearchParams ? body : undefined;
    const named = form && CREDENTIAL_PARAMETERS.find((name) => form.has(name));
    return named;
}

/** `base`, refusing to send a credential anywhere but https or a loopback literal. */
export function credentialGuardFetch(base: FetchLike): FetchLike {
    return (input, init) => {
        const url = new URL(String(input instanceof Request ? input.url : input));
        const carried = credentialIn(init);
        if (carried && !isHttpsOrLoopback(url)) return Promise.reject(new InsecureEndpointError(`request to ${showUrl(url)}, which carries ${carried}`));
        return base(input, init);
    };
}
