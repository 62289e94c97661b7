/**
 * demo-as — the demo OAuth 2.1 Authorization Server of the scoped-tools story.
 *
 *   tsx demo-as/main.ts --port <n> [--resource <url>]… [--access-token-ttl <s>] [--code-ttl <s>] [--consent-ttl <s>]
 *                       [--require-dpop] [--dpop-nonce] [--dpop-replay-memory <n>] [--loopback-any-port]
 *
 * Listens on 127.0.0.1 only (`--port 0` picks a free port) and prints
 * `listening on http://127.0.0.1:<port>`; that origin is the issuer. It serves
 * RFC 8414 metadata, RFC 7591 registration for loopback clients, /authorize
 * with a consent page, /token (authorization_code with PKCE S256, and
 * refresh_token with rotation), /revoke (RFC 7009), and the JWKS for its
 * RFC 9068 access tokens.
 * `--resource` (repeatable) names the only resources it issues tokens for
 * (RFC 8707); without it, any canonical http(s) resource URL is accepted.
 * `--dpop-replay-memory` caps the DPoP proofs /token remembers (default
 * 50 000); when that many are inside their window, new proofs get 503.
 * `--loopback-any-port` lets a loopback redirect URI at /authorize differ from
 * the registered one in its port only (RFC 8252 §7.3; 127.0.0.1, [::1] and
 * localhost), for clients that register one port and listen on another;
 * without it the match is exact, as the MCP spec says
 * (rules/redirect-uri-match.ts). A registration may name up to 16 redirect
 * URIs; one that asks for `client_secret_post` or `client_secret_basic` is
 * registered as the public client it is, answered with
 * `token_endpoint_auth_method: "none"` (RFC 7591 §3.2.1).
 * What it checks and why is in rules/ and grants/; what it allows is in
 * policy.ts; which properties are proven by which test is docs/as-security.md.
 *
 * ─── DEMO ONLY — NOT FOR PRODUCTION ─────────────────────────────────────────
 * It is hardened against hostile input, but it is not an identity provider:
 * - No user accounts and no login: whoever sits at the browser that opens the
 *   consent page is "demo-user" and can approve anything it asks.
 * - All state is in memory: registrations, pending consents, codes and refresh
 *   tokens vanish on restart, and are capped (policy.ts CAPS), so a flood of
 *   registrations evicts older ones; real clients would just be forgotten.
 * - The signing key is made at start-up and never stored or rotated; every
 *   token dies with the process.
 * - Plain http on loopback: the consent cookie cannot be Secure, and every
 *   program on this machine can reach the AS (and set cookies for 127.0.0.1).
 * - Open registration with no rate limiting, no client authentication (public
 *   clients with PKCE only), and no introspection endpoint; /revoke (RFC
 *   7009) revokes refresh-token families only, and revoked families leave
 *   their access tokens valid until they expire (--access-token-ttl, 300 s
 *   by default).
 * ────────────────────────────────────────────────────────────────────────────
 */
import type { RequestListener } from 'node:http';
import { parseCommandLine, parseCount, parsePort, usageError } from '../support/args.ts';
import { announceReady, exitCleanlyOnSignals, listenOnLoopback } from '../support/serve.ts';
import { buildApp } from './app.ts';
import { createContext, type Settings } from './context.ts';
import { keepHeapNearLiveSize } from './heap.ts';
import { CAPS, LIFETIMES } from './policy.ts';
import { isAcceptableResource } from './rules/resource.ts';
import { createSigningKey } from './signing-key.ts';

const PROGRAM = 'demo-as';

keepHeapNearLiveSize();

const { values } = parseCommandLine(PROGRAM, {
    port: { type: 'string' },
    'access-token-ttl': { type: 'string' },
    'code-ttl': { type: 'string' },
    'consent-ttl': { type: 'string' },
    resource: { type: 'string', multiple: true },
    'require-dpop': { type: 'boolean', default: false },
    'dpop-nonce': { type: 'boolean', default: false },
    'dpop-replay-memory': { type: 'string' },
    'loopback-any-port': { type: 'boolean', default: false }
});

const port = parsePort(PROGRAM, values.port, 0);
const settings: Settings = {
    accessTokenTtlSeconds: boundedSeconds('--access-token-ttl', values['access-token-ttl'], LIFETIMES.accessTokenSeconds, 86_400),
    codeTtlSeconds: boundedSeconds('--code-ttl', values['code-ttl'], LIFETIMES.codeSeconds, LIFETIMES.codeSeconds),
    consentTtlSeconds: boundedSeconds('--consent-ttl', values['consent-ttl'], LIFETIMES.consentSeconds, 86_400),
    servedResources: servedResources(values.resource ?? []),
    loopbackAnyPort: values['loopback-any-port'],
    requireDpop: values['require-dpop'],
    requireNonce: values['dpop-nonce'],
    dpopReplayMemory: parseCount(PROGRAM, '--dpop-replay-memory', values['dpop-replay-memory'], CAPS.dpopProofs, 1)
};

const signingKey = await createSigningKey();
// The issuer is the origin, known only once the port is bound; nothing can connect before that.
let handle: RequestListener = (_req, res) => res.writeHead(503).end();
const { server, origin } = await listenOnLoopback((req, res) => handle(req, res), port);
handle = buildApp(createContext(origin, settings, signingKey));
exitCleanlyOnSignals(server);
announceReady(origin);

/** `--resource` values, each exactly as /authorize will compare it: canonical, absolute http(s), no fragment. */
function servedResources(values: string[]): string[] {
    for (const value of values) {
        if (!isAcceptableResource(value)) usageError(PROGRAM, `--resource must be a canonical absolute http(s) URL without a fragment, e.g. http://127.0.0.1:3001/mcp`);
    }
    return values;
}

/** A lifetime flag in whole seconds, from 1 to `max`. */
function boundedSeconds(flag: string, raw: string | undefined, fallback: number, max: number): number {
    const seconds = parseCount(PROGRAM, flag, raw, fallback, 1);
    if (seconds > max) usageError(PROGRAM, `${flag} must be at most ${max} seconds`);
    return seconds;
}
