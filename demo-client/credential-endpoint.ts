/**
 * Where this client may send a credential — a code with its PKCE verifier, a
 * refresh token, an access token, a registration request whose answer is its
 * client_id: only over TLS, or in the clear to this machine's own loopback
 * names. One rule for every endpoint, applied before anything is sent: the
 * resource, token and registration endpoints as soon as discovery names them
 * (oauth-provider.ts), the revocation endpoint before logout posts to it
 * (revocation.ts), and every request that carries a credential on its way
 * out (credential-guard.ts), whichever path the SDK takes.
 *
 * Only the literal loopback names count. `*.localhost` and other 127/8
 * addresses may resolve or route elsewhere on some machines, so a name that
 * merely looks local is refused.
 */
import type { OAuthDiscoveryState } from '@modelcontextprotocol/client';
import { showIssuer, showUrl } from './plain-text.ts';

/** Hosts a credential may reach over plain http (RFC 8252 §8.3: loopback redirects; the same holds for the AS here). */
const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '[::1]', 'localhost'];

const RULE = 'credentials go only over https, or over http to 127.0.0.1, [::1] or localhost';

/** OAuth 2.1 §1.5 / MCP authorization "Communication Security": TLS, except on loopback (RFC 8252 §8.3). */
export function isHttpsOrLoopback(url: URL): boolean {
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname));
}

/** An endpoint this client will not send a credential to; its message is the whole one-line explanation. */
export class InsecureEndpointError extends Error {
    /** `subject` names the endpoint and where the client learned of it, its URL already made printable. */
    constructor(subject: string) {
        super(`refused the ${subject}: ${RULE}. Nothing was sent to it.`);
    }
}

/** Throws InsecureEndpointError unless `url` passes the rule. */
export function assertHttpsOrLoopback(endpoint: string, url: string | URL, source: string): void {
    const parsed = URL.canParse(String(url)) ? new URL(String(url)) : undefined;
    if (!parsed || !isHttpsOrLoopback(parsed)) throw new InsecureEndpointError(`${endpoint} ${showUrl(url)} (from ${source})`);
}

/**
 * The endpoints a discovery result will have the SDK send credentials to: the resource (access tokens),
 * the token endpoint (codes, verifiers, refresh tokens) and the registration endpoint — or, when the
 * authorization server published no metadata, the default paths the SDK falls back to under its URL.
 */
export function assertDiscoveredEndpoints(resource: string, state: OAuthDiscoveryState): void {
    assertHttpsOrLoopback('resource', resource, 'the --server option');
    const metadata = state.authorizationServerMetadata;
    const base = String(state.authorizationServerUrl);
    if (metadata) {
        const source = `the authorization server metadata of ${showIssuer(metadata.issuer)}`;
        assertHttpsOrLoopback('token_endpoint', metadata.token_endpoint, source);
        if (metadata.registration_endpoint !== undefined) assertHttpsOrLoopback('registration_endpoint', metadata.registration_endpoint, source);
        return;
    }
    // No metadata: the SDK falls back to /token and /register under the server's URL (same scheme, same host).
    assertHttpsOrLoopback('authorization server', base, 'discovery; it published no metadata, so its /token and /register would receive credentials');
}
