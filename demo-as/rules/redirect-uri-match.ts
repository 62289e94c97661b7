/**
 * Whether the redirect_uri of an authorization request names one the client
 * registered (RFC 6749 §3.1.2.3), and so may receive the code.
 *
 * By default the comparison is exact, string for string (RFC 9700 §4.1.3), as
 * the MCP authorization spec requires: a native client registers the port
 * its callback listener binds.
 *
 * With `--loopback-any-port` the AS follows RFC 8252 §7.3 instead: for a
 * loopback redirect URI the port may differ from the registered one, because
 * a native client binds whatever port the OS gives it. Only the port: the
 * scheme, host, path and query must still be exactly the registered ones, and
 * the URI must be written in canonical form, as at registration, so the string
 * compared is the string the AS redirects to. The hosts are the loopback IP
 * literals 127.0.0.1 and [::1] that RFC 8252 §7.3 names, and also `localhost`,
 * as the MCP SDK's own authorization router does: registration admits it
 * (RFC 8252 §8.3 only discourages it), and a client registered with it gets
 * the same treatment. A host is never swapped for another: a URI registered
 * with 127.0.0.1 never matches one sent with localhost.
 *
 * At /token the redirect_uri is compared with the one used at /authorize,
 * exactly (grants/authorization-code.ts): the port that was let vary here is
 * then fixed for the code.
 */
import { LOOPBACK_LITERALS } from './redirect-uri.ts';

export function redirectUriMatches(sent: string, registered: string, loopbackAnyPort: boolean): boolean {
    // RFC 9700 §4.1.3: exact string comparison.
    if (sent === registered) return true;
    return loopbackAnyPort && differsOnlyInLoopbackPort(sent, registered);
}

// RFC 8252 §7.3: the AS MUST allow any port for loopback IP redirect URIs; everything else still compared exactly.
function differsOnlyInLoopbackPort(sent: string, registered: string): boolean {
    if (!URL.canParse(sent)) return false;
    const url = new URL(sent);
    // RFC 9700 §4.1.3: one spelling only — a URI the parser would rewrite (tabs dropped, 127.1, :080) is not the one sent.
    if (url.href !== sent || !LOOPBACK_LITERALS.has(url.hostname)) return false;
    url.port = new URL(registered).port;
    return url.href === registered;
}
