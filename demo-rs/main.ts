/**
 * demo-rs — the Resource Server of the scoped-tools story.
 *
 *   tsx demo-rs/main.ts --port <n> --issuer <AS issuer> [--allowed-origin <origin>]… [--require-dpop]
 *                       [--dpop-replay-memory <n>]
 *
 * One HTTP listener on 127.0.0.1. `POST /mcp` is an MCP server (the SDK's
 * `createMcpHandler`, serving both the 2025-11-25 `initialize` lifecycle and
 * 2026-07-28) with four tools over an in-memory file store; each tool needs a
 * scope (scopes.ts). The RS trusts exactly one Authorization Server, named by
 * `--issuer`, and learns its keys over HTTP on first need, so it can start
 * before the AS does. RFC 9728 metadata is at
 * `/.well-known/oauth-protected-resource/mcp`. `--dpop-replay-memory` caps
 * the DPoP proofs remembered against replay (default 50 000); when that many
 * are inside their window, new proofs get 503 with Retry-After.
 *
 * DEMO ONLY — NOT FOR PRODUCTION. The listener is plain HTTP on loopback, so
 * tokens travel unencrypted; the file store lives in memory and is shared by
 * every client; there is no per-user data separation, no rate limiting, no
 * token revocation check (a JWT stays valid until its `exp`), and the issuer
 * is trusted over plain http. A real RS needs TLS, its own storage and
 * authorization model, and an operator's review of every choice here.
 */
import express from 'express';
import { getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/server';
import { localhostHostValidation } from '@modelcontextprotocol/express';
import { parseCommandLine, parseCount, parseHttpUrl, parseOrigin, parsePort, usageError } from '../support/args.ts';
import { announceReady, exitCleanlyOnSignals, listenOnLoopback } from '../support/serve.ts';
import { lazyIssuerKeys } from './authorization-server.ts';
import { requireAccessToken } from './bearer-auth.ts';
import { browserAccess } from './browser-access.ts';
import { DpopBinding, MAX_REMEMBERED_PROOFS } from './dpop-binding.ts';
import { finalErrorHandler, methodNotAllowed, notFound } from './errors.ts';
import { MCP_PATH, mcpRouteAfterAuthentication } from './mcp-route.ts';
import { protectedResourceMetadata, serveProtectedResourceMetadata } from './metadata.ts';
import { jwtAccessTokenVerifier } from './token-verifier.ts';

const PROGRAM = 'demo-rs';

/**
 * The issuer exactly as given, which must be exactly as the AS names itself: RFC 8414 §3.3 and RFC 9068 §4
 * compare issuers as strings, so `http://as.example/` and `http://as.example` are different issuers. The
 * string is never rebuilt from its parsed URL (`new URL()` gives both the pathname `/`); the parse only
 * checks it is an http(s) URL without query or fragment (RFC 8414 §2).
 */
function issuerFrom(raw: string): string {
    const url = parseHttpUrl(PROGRAM, '--issuer', raw);
    if (url.search || url.hash || raw.includes('?') || raw.includes('#')) usageError(PROGRAM, '--issuer must not have a query or fragment');
    if (/\s/.test(raw)) usageError(PROGRAM, '--issuer must not contain spaces');
    return raw;
}

function resourceServer(origin: string, issuer: string, allowedOrigins: string[], dpop: DpopBinding): express.Express {
    const resource = new URL(MCP_PATH, origin);
    const resourceMetadataUrl = getOAuthProtectedResourceMetadataUrl(resource);
    const keys = lazyIssuerKeys(issuer, (error) => process.stderr.write(`${PROGRAM}: authorization server ${issuer} unavailable: ${error.reason}\n`));
    const authenticate = requireAccessToken({ verifier: jwtAccessTokenVerifier({ issuer, resource, keys }), resource, resourceMetadataUrl, dpop });
    const metadataPath = new URL(resourceMetadataUrl).pathname;

    const app = express();
    app.disable('x-powered-by');
    // MCP Streamable HTTP transport, security warning: validate Host (loopback names only) and Origin (DNS rebinding);
    // CORS preflights are answered there too, before authentication.
    app.use(localhostHostValidation(), ...browserAccess(allowedOrigins));

    app.get(metadataPath, serveProtectedResourceMetadata(protectedResourceMetadata(resource, issuer)));
    app.all(metadataPath, methodNotAllowed('GET'));

    app.post(MCP_PATH, authenticate, ...mcpRouteAfterAuthentication());
    app.all(MCP_PATH, authenticate, methodNotAllowed('POST'));

    app.use(notFound);
    app.use(finalErrorHandler);
    return app;
}

const { values } = parseCommandLine(PROGRAM, {
    port: { type: 'string' },
    issuer: { type: 'string' },
    'allowed-origin': { type: 'string', multiple: true },
    'require-dpop': { type: 'boolean', default: false },
    'dpop-replay-memory': { type: 'string' }
});
const port = parsePort(PROGRAM, values.port, 0);
const issuer = issuerFrom(values.issuer ?? '');
const allowedOrigins = (values['allowed-origin'] ?? []).map((raw) => parseOrigin(PROGRAM, '--allowed-origin', raw));
const dpopReplayMemory = parseCount(PROGRAM, '--dpop-replay-memory', values['dpop-replay-memory'], MAX_REMEMBERED_PROOFS, 1);

// The resource URL contains the bound port, so the app is built once listening; no request can arrive before that.
let app: express.Express | undefined;
const { server, origin } = await listenOnLoopback((req, res) => app?.(req, res), port);
app = resourceServer(origin, issuer, allowedOrigins, new DpopBinding(values['require-dpop'], dpopReplayMemory));
exitCleanlyOnSignals(server);
announceReady(origin);
