/**
 * demo-rs — the Resource Server of the scoped-tools story.
 *
 *   tsx demo-rs/main.ts --port <n> --issuer <AS issuer> [--allowed-origin <origin>]… [--require-dpop]
 *                       [--dpop-replay-memory <n>] [--replay-store redis://host:port]
 *                       [--resource-url <public URL>] [--audience <value>]…
 *                       [--accept-typ JWT|none]… [--introspection-url <url> --introspection-client-id <id>]
 *                       [--initial-scope "<scopes>"] [--challenge-scope required|held-and-required]
 *
 * One HTTP listener on 127.0.0.1. `POST /mcp` is an MCP server (the SDK's
 * `createMcpHandler`, serving both the 2025-11-25 `initialize` lifecycle and
 * 2026-07-28) with four tools over an in-memory file store; each tool needs a
 * scope (scopes.ts). The RS trusts exactly one Authorization Server, named by
 * `--issuer`, and learns its keys over HTTP on first need, so it can start
 * before the AS does. RFC 9728 metadata is at
 * `/.well-known/oauth-protected-resource/mcp`. `--dpop-replay-memory` caps
 * the DPoP proofs remembered against replay (default 50 000); when that many
 * are inside their window, new proofs get 503 with Retry-After. With
 * `--replay-store redis://…` the jtis are kept in a Redis that every instance
 * behind a load balancer shares instead (redis-replay-store.ts). The flags that
 * fit it to a real identity provider are in options.ts (`--help` lists them all).
 * `--initial-scope` (default `files:read`) is what every 401 tells a client to
 * ask for first; `--challenge-scope held-and-required` makes each tool's 403
 * name the scopes the token holds besides the one it needs (default
 * `required`: that one only) — both for clients that cannot step up by the
 * union (scope-challenge.ts).
 *
 * DEMO ONLY — NOT FOR PRODUCTION. The listener is plain HTTP on loopback, so
 * tokens travel unencrypted; the file store lives in memory and is shared by
 * every client; there is no per-user data separation, no rate limiting, no
 * token revocation check for JWTs (one stays valid until its `exp`), and the
 * issuer is trusted over plain http. A real RS needs TLS, its own storage and
 * authorization model, and an operator's review of every choice here.
 */
import express from 'express';
import { getOAuthProtectedResourceMetadataUrl, localhostAllowedHostnames, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { hostHeaderValidation } from '@modelcontextprotocol/express';
import { announceReady, exitCleanlyOnSignals, listenOnPortFlag } from '../support/serve.ts';
import { AuthorizationServerUnavailableError, lazyIssuerKeys } from './authorization-server.ts';
import { requireAccessToken } from './bearer-auth.ts';
import { browserAccess } from './browser-access.ts';
import { DpopReplayMemory, type ReplayStore } from '../support/dpop-proof.ts';
import { DpopBinding } from './dpop-binding.ts';
import { finalErrorHandler, methodNotAllowed, notFound } from './errors.ts';
import { MCP_PATH, mcpRouteAfterAuthentication } from './mcp-route.ts';
import { protectedResourceMetadata, serveProtectedResourceMetadata } from './metadata.ts';
import { introspectionVerifier } from './introspection.ts';
import { parseRsOptions, PROGRAM, type RsOptions } from './options.ts';
import { jwtAccessTokenVerifier } from './token-verifier.ts';
import { verifierByFormat } from './verifier-by-format.ts';

const logUnavailable = (issuer: string) => (error: AuthorizationServerUnavailableError) =>
    process.stderr.write(`${PROGRAM}: authorization server ${issuer} unavailable: ${error.reason}\n`);

/** JWTs checked locally; with --introspection-url, every other token introspected (verifier-by-format.ts). */
function tokenVerifier(options: RsOptions, resource: URL): OAuthTokenVerifier {
    const { issuer, introspection } = options;
    // RFC 8707 / RFC 9068 §4: aud must name this resource, or one of the values the operator says the provider puts there.
    const audiences = options.audiences.length > 0 ? options.audiences : [resource.href];
    const keys = lazyIssuerKeys(issuer, logUnavailable(issuer));
    const jwt = jwtAccessTokenVerifier({ issuer, resource, audiences, extraTyps: options.acceptTyps, keys });
    const opaque = introspection && introspectionVerifier({ ...introspection, issuer, resource, audiences, onUnavailable: logUnavailable(issuer) });
    return verifierByFormat(jwt, opaque);
}

/**
 * MCP Streamable HTTP transport, security warning: the Host header names this server (DNS rebinding). Loopback
 * names always (a proxy or the operator reaches the instance there), and --resource-url's host, the name the
 * proxy forwards.
 */
function allowedHosts(resource: URL): string[] {
    const loopback = localhostAllowedHostnames();
    return loopback.includes(resource.hostname) ? loopback : [...loopback, resource.hostname];
}

/**
 * RFC 9449 §11.1: where accepted proofs are remembered — this process, or the Redis every instance shares. The
 * Redis client is loaded only for --replay-store: it costs a single instance half a second at every start.
 */
async function replayStore(options: RsOptions): Promise<ReplayStore> {
    if (!options.replayStore) return new DpopReplayMemory(options.dpopReplayMemory);
    const { RedisReplayStore } = await import('./redis-replay-store.ts');
    return new RedisReplayStore(options.replayStore.href, (line) => process.stderr.write(`${PROGRAM}: ${line}\n`));
}

function resourceServer(origin: string, options: RsOptions, dpop: DpopBinding): express.Express {
    // The resource identifier (RFC 8707, RFC 9728 `resource`): the public URL when given, else this listener's /mcp.
    const resource = options.resourceUrl ?? new URL(MCP_PATH, origin);
    const mcpPath = resource.pathname;
    const resourceMetadataUrl = getOAuthProtectedResourceMetadataUrl(resource);
    const authenticate = requireAccessToken({ verifier: tokenVerifier(options, resource), resource, resourceMetadataUrl, initialScope: options.initialScope, dpop });
    const metadataPath = new URL(resourceMetadataUrl).pathname;

    const app = express();
    app.disable('x-powered-by');
    // MCP Streamable HTTP transport, security warning: validate Host (allowedHosts) and Origin (DNS rebinding);
    // CORS preflights are answered there too, before authentication.
    app.use(hostHeaderValidation(allowedHosts(resource)), ...browserAccess(options.allowedOrigins));

    app.get(metadataPath, serveProtectedResourceMetadata(protectedResourceMetadata(resource, options.issuer)));
    app.all(metadataPath, methodNotAllowed('GET'));

    app.post(mcpPath, authenticate, ...mcpRouteAfterAuthentication(options.challengeScope));
    app.all(mcpPath, authenticate, methodNotAllowed('POST'));

    app.use(notFound);
    app.use(finalErrorHandler);
    return app;
}

const options = parseRsOptions();

// The default resource URL contains the bound port, so the app is built once listening; no request can arrive before that.
let app: express.Express | undefined;
const replay = await replayStore(options);
const { server, origin } = await listenOnPortFlag(PROGRAM, (req, res) => app?.(req, res), options.port);
// RFC 9449 §4.3: with --resource-url, proofs name the public URL the client called, not the proxy's loopback one.
app = resourceServer(origin, options, new DpopBinding(options.requireDpop, replay, options.resourceUrl?.origin));
exitCleanlyOnSignals(server);
announceReady(origin);
