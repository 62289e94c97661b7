/**
 * better-auth with its MCP plugin (`@better-auth/mcp`, an OAuth 2.1 provider)
 * configured to stand where demo-as stands: a second real authorization
 * server the suite proves its RS and client against.
 *
 *   node --import tsx real-as/better-auth.ts --modules <node_modules holding better-auth>
 *        --resource <RS resource URL> [--port 0]
 *
 * real-as/better-auth-package.ts fetches the pinned packages on demand, outside
 * the repository; better-auth is never a dependency of the project. It prints
 * `listening on http://127.0.0.1:<port>` when ready; its issuer is that origin
 * plus /api/auth (better-auth's base path: it names itself so).
 *
 * better-auth is a library, not a server: it ships no sign-in or consent page.
 * The two below are as small as a page can be — a form whose script posts to
 * better-auth's own sign-in and consent APIs and follows the redirect they
 * answer with. One demo user is created at start.
 *
 * Every setting that differs from the plugin's defaults says why. The defaults
 * this RS relies on, unchanged: access tokens are RFC 9068 JWTs (`typ: at+jwt`,
 * EdDSA-signed by the JWT plugin's key) whose `aud` is the requested resource;
 * PKCE required, S256 only; `iss` on every authorization response (RFC 9207).
 *
 * DEMO ONLY — NOT FOR PRODUCTION: plain HTTP on loopback, in-memory storage
 * (everything is forgotten on exit), a fixed demo user whose password
 * real-as/better-auth-package.ts names.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommandLine, parseHttpUrl, parsePort, usageError } from '../support/args.ts';
import { announceReady, exitCleanlyOnSignals, listenOnLoopback } from '../support/serve.ts';
import { BETTER_AUTH_BASE_PATH, DEMO_USER } from './better-auth-package.ts';

const PROGRAM = 'better-auth';

const SIGN_IN_PAGE = '/sign-in';
const CONSENT_PAGE = '/consent';
/** What each scope lets the client do on this RS: read and write files; files:admin is never granted. */
const RS_SCOPES = ['files:read', 'files:write'];

const { values } = parseCommandLine(PROGRAM, {
    modules: { type: 'string' },
    resource: { type: 'string' },
    port: { type: 'string' }
});
if (!values.modules) usageError(PROGRAM, '--modules <node_modules directory holding better-auth and @better-auth/mcp> is required');
const resource = parseHttpUrl(PROGRAM, '--resource', values.resource).href;

/** Imports a package entry from the fetched node_modules (the project has none of them). */
const requireFetched = createRequire(join(values.modules, 'fetched.js'));
const load = async (specifier: string) => import(pathToFileURL(requireFetched.resolve(specifier)).href);

const [{ betterAuth }, { getAuthTables }, { memoryAdapter }, { jwt }, { toNodeHandler }, { mcp }] = await Promise.all([
    load('better-auth'),
    load('better-auth/db'),
    load('better-auth/adapters/memory'),
    load('better-auth/plugins'),
    load('better-auth/node'),
    load('@better-auth/mcp')
]);

let route: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.writeHead(503).end();
const { server, origin } = await listenOnLoopback((request, response) => route(request, response), parsePort(PROGRAM, values.port, 0));

/** The in-memory adapter's tables: one empty table per model the configuration needs, made before start-up uses them. */
const database: Record<string, unknown[]> = {};

const options = {
    baseURL: origin,
    // better-auth's default, said once for the package file: its API, and so its issuer, live under it.
    basePath: BETTER_AUTH_BASE_PATH,
    // Default: read from BETTER_AUTH_SECRET, or a fixed development secret with a warning. A fresh one per run.
    secret: randomBytes(32).toString('hex'),
    // Default: a database is required. Native drivers cannot be built here; the memory adapter needs none.
    database: memoryAdapter(database),
    // Default: off. The demo user signs in with an email and a password.
    emailAndPassword: { enabled: true },
    plugins: [
        // Required by mcp(): the signing key for access tokens, published at <issuer>/jwks.
        jwt(),
        mcp({
            loginPage: SIGN_IN_PAGE,
            consentPage: CONSENT_PAGE,
            // RFC 8707: tokens are audience-bound to the RS's resource URL.
            resource,
            // Default: openid profile email offline_access; profile and email are of no use to the story, and
            // openid keeps OIDC discovery (<issuer>/.well-known/openid-configuration) served. The RS's scopes join
            // them: a request naming a scope the server does not know is refused outright (invalid_scope), so
            // files:admin is known here…
            scopes: ['openid', 'offline_access', ...RS_SCOPES, 'files:admin'],
            // …and never granted for this resource: what a token for the RS holds is cut to these (the
            // retry-cap step of the story), as oidc-provider's resource scopes do.
            resources: [{ identifier: resource, allowedScopes: ['offline_access', ...RS_SCOPES] }],
            // Default: off (MCP prefers Client ID Metadata Documents). The suite's client registers itself
            // (RFC 7591), so both of the plugin's registration switches are on, as its docs say for DCR.
            allowDynamicClientRegistration: true,
            allowUnauthenticatedClientRegistration: true
        })
    ]
};
for (const table of Object.values(getAuthTables(options) as Record<string, { modelName: string }>)) database[table.modelName] = [];
const auth = betterAuth(options);
await auth.api.signUpEmail({ body: DEMO_USER });

const authHandler = toNodeHandler(auth);
// Everything but the two pages goes to better-auth — the root's well-known paths too: it answers RFC 8414's
// path-inserted /.well-known/oauth-authorization-server/api/auth and RFC 9728's protected-resource metadata there.
route = (request, response) => {
    const path = new URL(request.url ?? '/', origin).pathname;
    if (request.method === 'GET' && path === SIGN_IN_PAGE) return page(response, signInPage());
    if (request.method === 'GET' && path === CONSENT_PAGE) return page(response, consentPage());
    authHandler(request, response);
};

function page(response: ServerResponse, html: string): void {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
}

/**
 * Both pages carry better-auth's signed authorization request in their own query string; posting it back
 * as `oauth_query` lets better-auth resume that request after the sign-in or the consent.
 */
const POST_AND_FOLLOW = `
async function postAndFollow(path, body) {
    const response = await fetch('${BETTER_AUTH_BASE_PATH}' + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...body, oauth_query: location.search.slice(1) }) });
    const answer = await response.json().catch(() => ({}));
    const next = answer.url || answer.redirect_uri;
    if (response.ok && next) location.href = next;
    else document.getElementById('error').textContent = answer.message || answer.error_description || 'refused (HTTP ' + response.status + ')';
}`;

function signInPage(): string {
    return `<!doctype html><title>Sign in</title>
<h1>Sign in</h1>
<form id="form">
<p><label>Email <input name="email" type="email" autocomplete="username"></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>
<p><button type="submit">Sign in</button></p>
</form>
<p id="error"></p>
<script>${POST_AND_FOLLOW}
document.getElementById('form').onsubmit = (event) => {
    event.preventDefault();
    postAndFollow('/sign-in/email', { email: event.target.email.value, password: event.target.password.value });
};
</script>`;
}

function consentPage(): string {
    return `<!doctype html><title>Consent</title>
<h1>Allow access?</h1>
<p>The client asks for: <code id="scope"></code></p>
<form id="form"><p><button type="submit">Allow</button></p></form>
<p id="error"></p>
<script>${POST_AND_FOLLOW}
document.getElementById('scope').textContent = new URLSearchParams(location.search).get('scope') || '';
document.getElementById('form').onsubmit = (event) => {
    event.preventDefault();
    postAndFollow('/oauth2/consent', { accept: true });
};
</script>`;
}

exitCleanlyOnSignals(server);
announceReady(origin);
