/**
 * Making text that came over the network safe to show on one terminal line.
 *
 * Servers (and, in a mix-up attack, attackers) choose the bytes in error
 * descriptions, challenge parameters and response bodies. Anything the client
 * prints from them goes through here: control and bidi characters are dropped
 * (no terminal escapes, no fake lines, no reordered text), whitespace is
 * collapsed, the length is capped, and the result is quoted.
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

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens separated by single spaces.
const SCOPE_STRING = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/** A scope string from a server, quoted when it is well-formed (RFC 6749 §3.3), otherwise a placeholder. */
export function showScope(scope: string | undefined): string {
    if (scope === undefined || scope === '') return '(none)';
    return SCOPE_STRING.test(scope) && scope.length <= 200 ? `"${scope}"` : '(a malformed scope value)';
}

/**
 * An issuer identifier shown exactly as it is (RFC 9207 compares issuers as exact strings, so a
 * normalised form would hide the difference that matters), when it is a short printable http(s) URL.
 */
export function showIssuer(issuer: string | undefined): string {
    if (issuer === undefined) return '(none)';
    const printable = /^[\x21\x23-\x7e]{1,200}$/.test(issuer);
    return printable && /^https?:\/\//i.test(issuer) ? `"${issuer}"` : '(an issuer value that is not a printable URL)';
}

/** A URL from a server, shown as its normalised href when it parses as http(s), otherwise a placeholder. */
export function showUrl(value: string | URL | undefined): string {
    if (value === undefined) return '(none)';
    try {
        const url = new URL(String(value));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return '(a non-http URL)';
        return plainText(url.href, 200);
    } catch {
        return '(not a URL)';
    }
}

// As UNSAFE_CHARACTERS, but keeping newline and tab: for multi-line tool output.
const UNSAFE_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Multi-line text for the terminal (a tool's output): unsafe characters removed, at most `max` characters. */
export function terminalBlock(text: string, max = 10_000): string {
    const safe = text.replace(UNSAFE_IN_BLOCK, '');
    return safe.length > max ? `${safe.slice(0, max)}\n… (cut at ${max} characters)` : safe;
}
