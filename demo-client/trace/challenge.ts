/**
 * A `WWW-Authenticate` header as the trace draws it: one header, as it was on
 * the wire. RFC 9110 §11.6.1 lets one header carry several challenges, each a
 * scheme followed by its auth-params (or a token68), all separated by commas —
 * the resource server offers `Bearer …, DPoP algs="ES256 EdDSA"` (RFC 9449
 * §7.1) in one header. So the header is read element by element and drawn as
 * one fact, every challenge with every parameter in the order sent.
 *
 * Deny by default, as in facts.ts: the values that decide something (error,
 * scope, resource_metadata, algs, realm) are shown through plain-text.ts;
 * every other parameter is named with its value not shown, so attacker text
 * (an error_description) never reaches the file.
 */
import { plainText, showList, showScope, showUrl } from '../plain-text.ts';

/**
 * Most elements (scheme or parameter) a header shows, and most algorithms of an `algs` list, before
 * "… and N more": a real header has under ten of each, so everything a real server sends is shown.
 */
const MAX_ELEMENTS = 12;

// RFC 9110 §5.6.2 token.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const PARAMETER = new RegExp(`^(${TOKEN})\\s*=\\s*(.*)$`, 's');
const CHALLENGE = new RegExp(`^(${TOKEN})(?:\\s+(.*))?$`, 's');

/** The header split at the commas between elements, commas inside quoted strings kept. */
function elements(header: string): string[] {
    const parts = header.match(/(?:"(?:[^"\\]|\\.)*"?|[^,"])+/g) ?? [];
    return parts.map((part) => part.trim()).filter(Boolean);
}

const unquoted = (raw: string) => (raw.startsWith('"') ? raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined).replace(/\\(.)/g, '$1') : raw);

// RFC 9449 §7.1: algs is a space-delimited list of JWS algorithm names.
const showAlgs = (value: string) => (/^[\w.+-]{1,20}( [\w.+-]{1,20})*$/.test(value) ? `"${showList(value.split(' '), (alg) => alg, ' ', MAX_ELEMENTS)}"` : '(a malformed algs value)');

/** How the trace shows one auth-param's value: the decisive ones as they are, the rest not at all. */
function shownParameter(name: string, raw: string): string {
    const value = unquoted(raw);
    switch (name.toLowerCase()) {
        case 'error':
            return `error="${plainText(value, 40)}"`;
        case 'scope':
            return `scope=${showScope(value)}`;
        case 'resource_metadata':
            return `resource_metadata=${showUrl(value)}`;
        case 'algs':
            return `algs=${showAlgs(value)}`;
        case 'realm':
            return `realm="${plainText(value, 40)}"`;
        default:
            return `${plainText(name, 30)}=(not shown)`;
    }
}

/** One element: a parameter of the current challenge, or a new challenge (scheme, then its first parameter or token68). */
function shownElement(element: string): string {
    const parameter = PARAMETER.exec(element);
    if (parameter) return shownParameter(parameter[1]!, parameter[2]!);
    const challenge = CHALLENGE.exec(element);
    if (!challenge) return '(not a challenge)';
    const [, scheme, rest] = challenge;
    if (rest === undefined) return plainText(scheme!, 20);
    const first = PARAMETER.exec(rest);
    return `${plainText(scheme!, 20)} ${first ? shownParameter(first[1]!, first[2]!) : '(token68)'}`;
}

/** The header as one fact: `WWW-Authenticate: Bearer scope="files:read", resource_metadata=…, DPoP algs="ES256 EdDSA"`. */
export function challengeFact(header: string): string {
    const all = elements(header);
    const shown = all.slice(0, MAX_ELEMENTS).map(shownElement).join(', ');
    const rest = all.length - MAX_ELEMENTS;
    return `WWW-Authenticate: ${shown}${rest > 0 ? ` … and ${rest} more` : ''}`;
}
