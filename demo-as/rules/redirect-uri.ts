/**
 * Which redirect URIs a client may register (RFC 7591 §2, RFC 6749 §3.1.2,
 * RFC 8252 §7.3 and §8.3, RFC 9700 §4.1).
 *
 * The demo AS serves native clients on this machine only, so a redirect URI
 * must be an absolute http(s) URL on a loopback literal. The decisions, one
 * per kind of attack:
 *
 * - Look-alike hosts (`127.0.0.1.example.com`, `localhost.example.com`,
 *   `localhost.`): refused; the hostname must equal a literal exactly.
 * - Userinfo (`http://127.0.0.1@evil.example/`, `http://x@127.0.0.1/`):
 *   refused, whatever the host; it exists only to mislead readers.
 * - Other schemes (`javascript:`, `data:`, `file:`, `myapp:`): refused. RFC
 *   8252 §7.1 allows private-use schemes, but no client of this AS needs one.
 * - Relative, empty and non-string values: refused.
 * - Other spellings of loopback (`127.1`, `2130706433`, `0x7f000001`,
 *   `0177.0.0.1`, `[0:0:0:0:0:0:0:1]`, `LOCALHOST`): refused. The URL parser
 *   would rewrite each into a literal, but the AS compares strings exactly at
 *   /authorize, so only the canonical spelling is ever accepted.
 * - Other loopback addresses (`127.0.0.2`): refused; RFC 8252 §7.3 names
 *   127.0.0.1 and ::1 (plus `localhost`, which RFC 8252 §8.3 discourages but
 *   this suite's brief allows).
 * - Control characters, spaces, overlong values: refused before parsing,
 *   since parsers silently drop tabs and newlines.
 * - A fragment, or a query that already carries `code`, `state`, `iss` or
 *   `error*`: refused, so the callback the AS builds is unambiguous.
 */
import { LIMITS } from '../policy.ts';

/** The loopback hosts a redirect URI may name, as the URL parser spells them. */
export const LOOPBACK_LITERALS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Parameters the AS itself puts on the callback (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2). */
const AUTHORIZATION_RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri'];

interface RedirectUriRule {
    holds(uri: string): boolean;
    problem: string;
}

const RULES: readonly RedirectUriRule[] = [
    { holds: isWithinLengthLimit, problem: `redirect URIs must be at most ${LIMITS.redirectUriLength} characters` },
    { holds: hasNoControlCharactersOrSpaces, problem: 'redirect URIs must not contain spaces or control characters' },
    { holds: isAbsoluteUrl, problem: 'redirect URIs must be absolute URLs' },
    { holds: usesHttpScheme, problem: 'redirect URIs must use http or https' },
    { holds: hasNoUserinfo, problem: 'redirect URIs must not contain userinfo' },
    { holds: hasNoFragment, problem: 'redirect URIs must not contain a fragment' },
    { holds: isCanonicalSpelling, problem: 'redirect URIs must be written in canonical form' },
    { holds: hasLoopbackLiteralHost, problem: 'redirect URIs must use the host 127.0.0.1, [::1] or localhost' },
    { holds: hasNoAuthorizationResponseParams, problem: 'redirect URIs must not carry authorization response parameters' }
];

/** Why `value` may not be registered as a redirect URI, in the AS's words; undefined if it may. */
export function redirectUriProblem(value: unknown): string | undefined {
    // RFC 7591 §2: redirect_uris is an array of strings.
    if (typeof value !== 'string') return 'redirect URIs must be strings';
    return RULES.find((rule) => !rule.holds(value))?.problem;
}

function isWithinLengthLimit(uri: string): boolean {
    return uri.length > 0 && uri.length <= LIMITS.redirectUriLength;
}

// Parsers strip tabs/newlines and trim spaces, so what was checked and what is visited could differ.
function hasNoControlCharactersOrSpaces(uri: string): boolean {
    return !/[\u0000-\u0020\u007f-\u009f]/.test(uri);
}

// RFC 6749 §3.1.2: the redirection endpoint URI MUST be an absolute URI.
function isAbsoluteUrl(uri: string): boolean {
    return URL.canParse(uri);
}

// RFC 8252 §7.3: loopback redirects use http; https is accepted for clients that serve it.
function usesHttpScheme(uri: string): boolean {
    const { protocol } = new URL(uri);
    return protocol === 'http:' || protocol === 'https:';
}

// RFC 3986 §7.6 / RFC 9700 §4.1: userinfo lets a URI read as one host and go to another.
function hasNoUserinfo(uri: string): boolean {
    const { username, password } = new URL(uri);
    return username === '' && password === '';
}

// RFC 6749 §3.1.2: the endpoint URI MUST NOT include a fragment component.
function hasNoFragment(uri: string): boolean {
    return !uri.includes('#');
}

// RFC 9700 §4.1.3: exact string matching; only one spelling of a URI can ever match.
function isCanonicalSpelling(uri: string): boolean {
    return new URL(uri).href === uri;
}

// RFC 8252 §7.3 / §8.3: the loopback interface, named by its literal.
function hasLoopbackLiteralHost(uri: string): boolean {
    return LOOPBACK_LITERALS.has(new URL(uri).hostname);
}

// RFC 6749 §3.1.2: a query is allowed, but the AS's own response parameters must stay unambiguous.
function hasNoAuthorizationResponseParams(uri: string): boolean {
    const { searchParams } = new URL(uri);
    return AUTHORIZATION_RESPONSE_PARAMS.every((name) => !searchParams.has(name));
}
