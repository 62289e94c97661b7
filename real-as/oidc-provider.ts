/**
 * panva's oidc-provider (OpenID-certified) configured to stand where demo-as
 * stands: the real authorization server the suite proves its RS and client
 * against (docs/production.md walks through this file line by line).
 *
 *   node --import tsx real-as/oidc-provider.ts --module <oidc-provider's lib/index.js>
 *        --resource <RS resource URL> [--port 0] [--issuer-path /oidc] [--signing-alg ES256|EdDSA|PS256]
 *        [--opaque-access-tokens] [--static-client <id>] [--static-confidential-client <id>] [--static-client-port <n>]
 *
 * real-as/provider-package.ts fetches the pinned package (and the newer Node it
 * wants) on demand, outside the repository, and starts this file on that Node;
 * oidc-provider is never a dependency of the project. It prints
 * `listening on http://127.0.0.1:<port>` when ready; its issuer is that origin
 * plus --issuer-path.
 *
 * `--static-client` / `--static-confidential-client` add clients an
 * administrator registered, as identity providers without open registration
 * have them: redirect URI `http://127.0.0.1:<--static-client-port>/callback`
 * (compared exactly, port included), the confidential one with the secret
 * from the environment variable STATIC_CLIENT_SECRET (client_secret_basic).
 * With either, every request that reaches the registration endpoint is
 * logged as `registration request`, so a test can see that none did.
 *
 * Every setting below that differs from oidc-provider's defaults says why. The
 * defaults this RS relies on, unchanged: PKCE required for public clients,
 * S256 only; `iss` on every authorization response (RFC 9207); refresh tokens
 * issued when the grant includes `offline_access` (which the SDK asks for when
 * the AS advertises it); refresh-token rotation for public clients.
 *
 * `--opaque-access-tokens` makes it issue opaque access tokens (oidc-provider's
 * own default format) that the RS checks by RFC 7662 introspection, and adds
 * what that needs: the introspection and revocation endpoints, the
 * client_credentials grant, and two static confidential clients
 * (client_secret_basic) whose secrets come from the environment —
 * `demo-rs-introspection` (OIDC_PROVIDER_RS_SECRET), the RS's own client for
 * introspection, and `machine-client` (OIDC_PROVIDER_MACHINE_SECRET), which
 * gets tokens for the RS without a browser.
 *
 * DEMO ONLY — NOT FOR PRODUCTION: plain HTTP on loopback, in-memory storage
 * (everything is forgotten on exit), signing keys made at start-up, and its
 * development sign-in page accepts any name and password.
 */
import express from 'express';
import { exportJWK, generateKeyPair } from 'jose';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseCommandLine, parseHttpUrl, parsePort, usageError } from '../support/args.ts';
import { announceReady, exitCleanlyOnSignals, listenOnLoopback } from '../support/serve.ts';

const PROGRAM = 'oidc-provider';
const SIGNING_ALGS = ['ES256', 'EdDSA', 'PS256'];

const { values } = parseCommandLine(PROGRAM, {
    module: { type: 'string' },
    resource: { type: 'string' },
    port: { type: 'string' },
    'issuer-path': { type: 'string', default: '' },
    'signing-alg': { type: 'string', default: 'ES256' },
    'opaque-access-tokens': { type: 'boolean', default: false },
    'static-client': { type: 'string' },
    'static-confidential-client': { type: 'string' },
    'static-client-port': { type: 'string' }
});
if (!values.module) usageError(PROGRAM, '--module <path to oidc-provider/lib/index.js> is required');
const resource = parseHttpUrl(PROGRAM, '--resource', values.resource).href;
const issuerPath = values['issuer-path'].replace(/\/$/, '');
if (issuerPath && !/^(\/[A-Za-z0-9._~-]+)+$/.test(issuerPath)) usageError(PROGRAM, '--issuer-path must look like /oidc');
const signingAlg = values['signing-alg'];
if (!SIGNING_ALGS.includes(signingAlg)) usageError(PROGRAM, `--signing-alg must be one of ${SIGNING_ALGS.join(', ')}`);

const opaqueAccessTokens = values['opaque-access-tokens'];

/** `--opaque-access-tokens`: the RS's introspection client and a client_credentials client, secrets from the environment. */
function opaqueTokenClients() {
    const secret = (name: string) => process.env[name] || usageError(PROGRAM, `--opaque-access-tokens needs ${name} in the environment`);
    const confidential = { grant_types: [] as string[], response_types: [] as string[], redirect_uris: [] as string[], token_endpoint_auth_method: 'client_secret_basic' };
    return [
        { ...confidential, client_id: 'demo-rs-introspection', client_secret: secret('OIDC_PROVIDER_RS_SECRET') },
        { ...confidential, client_id: 'machine-client', client_secret: secret('OIDC_PROVIDER_MACHINE_SECRET'), grant_types: ['client_credentials'] }
    ];
}

/** The administrator's clients (--static-client, --static-confidential-client), as oidc-provider's `clients` list. */
function administratorClients(): Record<string, unknown>[] {
    const publicId = values['static-client'];
    const confidentialId = values['static-confidential-client'];
    if (publicId === undefined && confidentialId === undefined) return [];
    const port = parsePort(PROGRAM, values['static-client-port'], 0);
    if (port === 0) usageError(PROGRAM, '--static-client-port <n> is required with a static client');
    const secret = process.env.STATIC_CLIENT_SECRET;
    if (confidentialId !== undefined && !secret) usageError(PROGRAM, '--static-confidential-client needs its secret in the environment variable STATIC_CLIENT_SECRET');
    const common = { redirect_uris: [`http://127.0.0.1:${port}/callback`], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] };
    return [
        ...(publicId === undefined ? [] : [{ ...common, client_id: publicId, token_endpoint_auth_method: 'none' }]),
        ...(confidentialId === undefined ? [] : [{ ...common, client_id: confidentialId, client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }])
    ];
}
const adminClients = administratorClients();
const staticClients = [...(opaqueAccessTokens ? opaqueTokenClients() : []), ...adminClients];

/** Why it is granted: what each scope lets the client do on this RS. files:admin is never granted (the retry-cap step of the story). */
const RESOURCE_SCOPES = 'files:read files:write';

/** One private key per algorithm this file can sign access tokens with; the JWKS publishes their public halves. */
async function signingKeys() {
    const make = async (alg: string) => ({ ...(await exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey)), alg, use: 'sig', kid: `${alg}-${randomBytes(4).toString('hex')}` });
    return { keys: await Promise.all(SIGNING_ALGS.map(make)) };
}

const { Provider, errors } = await import(pathToFileURL(values.module).href);

const app = express();
const { server, origin } = await listenOnLoopback(app, parsePort(PROGRAM, values.port, 0));
const issuer = `${origin}${issuerPath}`;

const provider = new Provider(issuer, {
    // MCP clients register themselves (RFC 7591), so registration is on:
    // open, no initial access token, as the MCP authorization spec expects of an AS for unknown clients.
    features: {
        registration: { enabled: true },
        // RFC 8707 + RFC 9068: a token for this RS is a JWT whose aud is the RS's resource URL and whose
        // scope holds only this resource's scopes. Any other resource is invalid_target.
        resourceIndicators: {
            enabled: true,
            // The SDK sends `resource` on every request; when a request names none, it is this RS.
            defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf ?? resource,
            // A refresh without `resource` stays bound to the resource that was granted.
            useGrantedResource: () => true,
            getResourceServerInfo: (_ctx: unknown, indicator: string) => {
                if (indicator !== resource) throw new errors.InvalidTarget();
                // --opaque-access-tokens: oidc-provider's own default format, a handle the RS must introspect (RFC 7662).
                const format = opaqueAccessTokens ? { accessTokenFormat: 'opaque' } : { accessTokenFormat: 'jwt', jwt: { sign: { alg: signingAlg } } };
                return { scope: RESOURCE_SCOPES, audience: resource, accessTokenTTL: 300, ...format };
            }
        },
        // Default, kept: oidc-provider's own development sign-in and consent pages — a person must use them.
        devInteractions: { enabled: true },
        // Off by default. With opaque access tokens: RFC 7662 for the RS, RFC 7009 to revoke, and a grant without a browser.
        introspection: { enabled: opaqueAccessTokens },
        revocation: { enabled: opaqueAccessTokens },
        clientCredentials: { enabled: opaqueAccessTokens }
    },
    // Default: none. With --opaque-access-tokens, the RS's introspection client and a machine client (above);
    // with --static-client / --static-confidential-client, the clients an administrator registered.
    clients: staticClients,
    // The registration-scope pitfall: the SDK puts `scope` in its registration request. Stock oidc-provider
    // refuses scopes it does not list (invalid_client_metadata); listing them makes the registered scope the
    // client's ceiling, so a step-up could never widen the grant. So the registration's scope is dropped here:
    // what a client may get is decided per request, by the resource's scopes above and the user's consent.
    extraClientMetadata: {
        properties: ['scope'],
        validator: (_ctx: unknown, key: string, _value: unknown, metadata: Record<string, unknown>) => {
            if (key === 'scope') delete metadata.scope;
        }
    },
    // Default RS256, for which this file makes no key: ID tokens (not used by the story) are signed with ES256.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    // Default: a fixed development key set (and a warning). Fresh keys per run instead; the RS finds them via jwks_uri.
    jwks: await signingKeys(),
    // Default: no keys (and a warning). Signed cookies for its sign-in and consent interactions.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Default 14 days. This RS's story is minutes long; a shorter refresh token keeps the demo honest.
    ttl: { RefreshToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 }
});

// With the administrator's clients: a line for every request that reaches the registration endpoint (none should).
if (adminClients.length > 0) {
    app.use(`${issuerPath}/reg`, (_request, _response, next) => {
        process.stdout.write('registration request\n');
        next();
    });
}
app.use(issuerPath || '/', provider.callback());
exitCleanlyOnSignals(server);
announceReady(origin);
