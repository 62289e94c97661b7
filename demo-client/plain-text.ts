/**
 * Making text that came over the network safe to show on one terminal line.
 *
 * Servers (and, in a mix-up attack, attackers) choose the bytes in error
 * descriptions, challenge parameters and response bodies. Anything the client
 * prints from them goes through here: control and bidi characters are dropped
 * (no terminal escapes, no fake lines, no reordered text), whitespace is
 * collapsed, the length is capped, and the result is quoted. A server's long
 * list (authorization servers, scopes) shows its first LIST_LIMIT items and
 * counts the rest, so a flood stays one line; and every URL — the server's or
 * the user's own `--server` — is shown without what may be a credential in it
 * (user name, password, query values, fragment).
 */

// C0/C1 controls, DEL, and the Unicode bidi overrides/isolates (CVE-2021-42574 "Trojan Source").
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Plain one-line text: unsafe characters removed, whitespace collapsed, at most `max` characters (… marks a cut). */
export function plainText(text: string, max = 120): string {
    const flat = text.replace(UNSAFE_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `plainText` in double quotes with JSON escaping, so a reader sees exactly where untrusted text starts and ends. */
export function quoteUntrusted(text: string, max = 120): string {
    return JSON.stringify(plainText(text, max));
}

/** How many items of a server's list (authorization servers, scopes, tools) a line shows before "… and N more". */
export const LIST_LIMIT = 5;

/** The first `limit` (LIST_LIMIT) items, each through `show`, joined; the rest counted, never shown. */
export function showList<T>(items: readonly T[], show: (item: T) => string, separator = ', ', limit = LIST_LIMIT): string {
    const shown = items.slice(0, limit).map(show).join(separator);
    return items.length > limit ? `${shown} … and ${items.length - limit} more` : shown;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens separated by single spaces.
const SCOPE_STRING = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/** The longest scope token shown whole; a longer one is cut (…). */
const MAX_SCOPE_TOKEN = 60;

/**
 * A scope string from a server, quoted when it is well-formed (RFC 6749 §3.3), otherwise a placeholder.
 * A long one shows its first LIST_LIMIT tokens and counts the rest, so one line stays one line.
 */
export function showScope(scope: string | undefined): string {
    if (scope === undefined || scope === '') return '(none)';
    if (!SCOPE_STRING.test(scope)) return '(a malformed scope value)';
    const tokens = scope.split(' ');
    const shown = tokens.slice(0, LIST_LIMIT).map((token) => (token.length > MAX_SCOPE_TOKEN ? `${token.slice(0, MAX_SCOPE_TOKEN - 1)}…` : token));
    const rest = tokens.length - shown.length;
    return rest > 0 ? `"${shown.join(' ')}" … and ${rest} more` : `"${shown.join(' ')}"`;
}

/** Whether a URL carries what may be a credential: a user name or password, a query, a fragment. */
const carriesSecrets = (url: URL) => url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '';

/**
 * An issuer identifier shown exactly as it is (RFC 9207 compares issuers as exact strings, so a
 * normalised form would hide the difference that matters), when it is a short printable http(s) URL.
 * One with a user name, password, query or fragment (RFC 8414 §2 allows none of them in an issuer)
 * is shown redacted, as showUrl shows it.
 */
export function showIssuer(issuer: string | undefined): string {
    if (issuer === undefined) return '(none)';
    const printable = /^[\x21\x23-\x7e]{1,200}$/.test(issuer);
    if (!printable || !/^https?:\/\//i.test(issuer)) return '(an issuer value that is not a printable URL)';
    return URL.canParse(issuer) && carriesSecrets(new URL(issuer)) ? showUrl(issuer) : `"${issuer}"`;
}

/** What a redacted URL shows in place of each query value. */
export const HIDDEN_VALUE = '(hidden)';

/**
 * A URL as it may be printed or traced — the one place URLs are redacted. The user name and
 * password are dropped, every query value becomes HIDDEN_VALUE (the names stay, so a reader sees
 * what was sent), the fragment is dropped: any of them may carry a credential (`user:pass@`, `?token=`).
 */
export function redactUrl(url: URL): string {
    const shown = new URL(url.href);
    const names = [...shown.searchParams.keys()];
    shown.username = '';
    shown.password = '';
    shown.hash = '';
    shown.search = '';
    const query = names.map((name) => `${encodeURIComponent(name)}=${HIDDEN_VALUE}`).join('&');
    return query ? `${shown.href}?${query}` : shown.href;
}

/** A URL (from a server, or the one the user gave) redacted by redactUrl when it parses as http(s), otherwise a placeholder. */
export function showUrl(value: string | URL | undefined): string {
    if (value === undefined) return '(none)';
    try {
        const url = new URL(String(value));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return '(a non-http URL)';
        return plainText(redactUrl(url), 200);
    } catch {
        return '(not a URL)';
    }
}

/** Free text (an error message, an SDK warning) with every http(s) URL in it that may carry a credential redacted by redactUrl; the others stay as written. */
export function redactUrls(text: string): string {
    return text.replace(/\bhttps?:\/\/[^\s"'<>`]+/gi, (url) => {
        if (!URL.canParse(url)) return '(a URL)';
        const parsed = new URL(url);
        return carriesSecrets(parsed) ? redactUrl(parsed) : url;
    });
}

// As UNSAFE_CHARACTERS, but keeping newline and tab: for multi-line tool output.
const UNSAFE_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Multi-line text for the terminal (a tool's output): unsafe characters removed, at most `max` characters. */
export function terminalBlock(text: string, max = 10_000): string {
    const safe = text.replace(UNSAFE_IN_BLOCK, '');
    return safe.length > max ? `${safe.slice(0, max)}\n… (cut at ${max} characters)` : safe;
}
