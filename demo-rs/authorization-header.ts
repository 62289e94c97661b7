/**
 * Reading the one credential a request offers from its `Authorization` header.
 *
 * RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token` — one scheme, one or
 * more spaces, one token, nothing after it; a request uses one way of sending
 * a token and no more (§2). Anything else that names an accepted scheme is a
 * malformed request (§3.1 `invalid_request`, HTTP 400), so a request can never
 * be authorized with one token while a gateway or log read another. The
 * accepted schemes are a parameter: DPoP (RFC 9449 §7.1) uses the same
 * grammar with its own scheme name.
 */
import type { IncomingMessage } from 'node:http';

/** RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export type MalformedAuthorization = 'several-headers' | 'no-token' | 'extra-text';

export type AuthorizationCredential =
    /** No Authorization header, or one with a scheme not accepted here: no token offered (RFC 6750 §3.1). */
    | { kind: 'none' }
    | { kind: 'credential'; scheme: string; token: string }
    | { kind: 'malformed'; problem: MalformedAuthorization };

/** Fixed sentences for each malformed shape; nothing from the request is echoed. */
export const MALFORMED_DESCRIPTIONS: Readonly<Record<MalformedAuthorization, string>> = {
    'several-headers': 'The request carries more than one Authorization header; send exactly one credential.',
    'no-token': 'The Authorization header names the scheme but carries no token.',
    'extra-text': 'The Authorization header must be the scheme, spaces, and exactly one token, with nothing after it.'
};

/** Every Authorization header the client sent, kept apart (Node would keep only the first in `req.headers`). */
export function authorizationHeaders(req: IncomingMessage): string[] {
    return req.headersDistinct.authorization ?? [];
}

/**
 * The credential in `headers` for one of `schemes` (matched case-insensitively,
 * RFC 9110 §11.1; returned in the spelling given in `schemes`).
 */
export function parseAuthorization(headers: readonly string[], schemes: readonly string[]): AuthorizationCredential {
    // RFC 6750 §2: one method, one credential — two headers are refused whatever they hold.
    if (headers.length > 1) return { kind: 'malformed', problem: 'several-headers' };
    if (headers.length === 0) return { kind: 'none' };
    const header = headers[0]!.trim();
    const [name = '', ...rest] = header.split(' ');
    const scheme = schemes.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (scheme === undefined) return { kind: 'none' };
    // RFC 6750 §2.1: 1*SP between scheme and token, so empty pieces (extra spaces) are dropped.
    const pieces = rest.filter((piece) => piece !== '');
    if (pieces.length === 0) return { kind: 'malformed', problem: 'no-token' };
    if (pieces.length > 1 || !B64TOKEN.test(pieces[0]!)) return { kind: 'malformed', problem: 'extra-text' };
    return { kind: 'credential', scheme, token: pieces[0]! };
}
