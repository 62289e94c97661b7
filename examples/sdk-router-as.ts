/**
 * An authorization server on the SDK's own router — `mcpAuthRouter` from
 * `@modelcontextprotocol/server-legacy` — with a small provider of its own.
 *
 *   npx tsx examples/sdk-router-as.ts --port 0 [--resource <url>]… [--redirect-with res-redirect|location-header]
 *                                     [--no-iss-advertised] [--registrations-per-hour <n>]
 *
 * The router serves the metadata (RFC 8414), registration (RFC 7591), /authorize,
 * /token (PKCE S256 checked by the router) and /revoke. It adds `iss` (RFC 9207 §2)
 * to every authorization response it sends: its own error redirects, and every
 * `res.redirect(…)` the provider makes to the client's redirect URI — and it
 * advertises `authorization_response_iss_parameter_supported: true`.
 * The provider below adds the policy: registration of loopback redirect URIs only,
 * the exact redirect URI, a consent page, single-use codes bound to the client,
 * redirect URI and resource, ES256 access tokens per RFC 9068 (`aud` = the resource),
 * rotating refresh tokens, and a JWKS.
 *
 * The pitfall the two flags show (docs/build-your-own.md):
 *   --redirect-with location-header  the provider writes `Location` itself instead of
 *       calling `res.redirect`: the router cannot add `iss`, yet still advertises it, so a
 *       client that checks RFC 9207 must refuse the callback (and redeems nothing);
 *   --no-iss-advertised  the way out the SDK documents: the provider's
 *       `authorizationResponseIssParameterSupported = false`, which the router reads for the
 *       metadata (the release note says "in mcpAuthRouter options"; it is a provider property).
 *
 * Workarounds, each visible below: the router's metadata has no `jwks_uri`, so this file
 * serves the metadata route itself (before the router) with `jwks_uri` added; the router
 * must be mounted at the root, so its issuer is the origin with a trailing `/` — a resource
 * server must keep that slash (RFC 8414 §3.3 compares issuers exactly); the router allows
 * 20 registrations an hour per address, which `--registrations-per-hour` raises for tests.
 *
 * DEMO ONLY — one in-memory process with no users: consent is the only sign-in.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import express, { type Response } from 'express';
import {
    createOAuthMetadata,
    InvalidClientMetadataError,
    InvalidGrantError,
    InvalidTargetError,
    InvalidTokenError,
    mcpAuthRouter,
    type AuthorizationParams,
    type AuthRouterOptions,
    type OAuthServerProvider
} from '@modelcontextprotocol/server-legacy';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

/** The flags, each with its line of `--help`; a bad one is one line and exit 2, `--help` the usage and exit 0. */
const FLAGS = {
    port: { type: 'string', default: '9000', value: '<n>', usage: 'port on 127.0.0.1; 0 picks a free one' },
    resource: { type: 'string', multiple: true, value: '<url>', usage: 'a resource tokens are issued for (repeatable; default: any)' },
    'redirect-with': { type: 'string', default: 'res-redirect', value: '<how>', usage: 'res-redirect, or location-header: the pitfall, a redirect without iss' },
    'no-iss-advertised': { type: 'boolean', default: false, usage: 'do not advertise iss in authorization responses (the SDK\'s way out)' },
    'registrations-per-hour': { type: 'string', default: '20', value: '<n>', usage: 'registrations the router allows per address and hour' },
    help: { type: 'boolean', short: 'h', default: false, usage: 'print this text and exit' }
} as const;
const USAGE = [
    'usage: sdk-router-as [flags]',
    ...Object.entries(FLAGS).map(([name, flag]) => {
        const form = `--${name}${'value' in flag ? ` ${flag.value}` : ''}`;
        return `  ${form.padEnd(28)}  ${flag.usage}${flag.type === 'string' && 'default' in flag ? ` (default ${flag.default})` : ''}`;
    })
].join('\n');
function commandLine() {
    try {
        const { values } = parseArgs({ options: FLAGS });
        if (values.help) (console.log(USAGE), process.exit(0));
        if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw new Error('--port must be an integer from 0 to 65535');
        if (!['res-redirect', 'location-header'].includes(values['redirect-with'])) throw new Error('--redirect-with must be res-redirect or location-header');
        if (!/^\d+$/.test(values['registrations-per-hour'])) throw new Error('--registrations-per-hour must be a whole number');
        return values;
    } catch (error) {
        console.error(`sdk-router-as: ${(error as Error).message.replace(/\. To specify .*/s, '')} (see --help)`);
        process.exit(2);
    }
}
const values = commandLine();

const GRANTABLE_SCOPES = ['files:read', 'files:write']; // files:admin is never granted: the story's retry cap
const CODE_TTL_S = 60;
const ACCESS_TOKEN_TTL_S = 300;
const MAX_ENTRIES = 10_000; // every table is bounded: the oldest entry goes first
const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]', 'localhost'];

type Client = Parameters<OAuthServerProvider['authorize']>[0];
interface Grant {
    clientId: string;
    scopes: string[];
    resource: string;
}

/** A Map that forgets its oldest entry when full. */
class Bounded<V> extends Map<string, V> {
    override set(key: string, value: V): this {
        if (this.size >= MAX_ENTRIES) this.delete(this.keys().next().value!);
        return super.set(key, value);
    }
    take(key: string): V | undefined {
        const value = this.get(key);
        this.delete(key);
        return value;
    }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const secret = () => randomBytes(32).toString('base64url');

/** RFC 8252 §7.3 / the MCP spec: a public client on this machine may only be sent back to this machine. */
function isLoopbackRedirect(uri: string): boolean {
    if (!URL.canParse(uri)) return false;
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.includes(url.hostname) && !url.username && !url.password && !url.hash;
}

class DemoProvider implements OAuthServerProvider {
    readonly #clients = new Bounded<Client>();
    readonly #consents = new Bounded<AuthorizationParams & { clientId: string }>();
    readonly #codes = new Bounded<Grant & { redirectUri: string; challenge: string; expiresAt: number }>();
    readonly #refreshTokens = new Bounded<Grant>();
    authorizationResponseIssParameterSupported = !values['no-iss-advertised'];

    constructor(
        private readonly issuer: string,
        private readonly keys: { privateKey: CryptoKey; publicKey: CryptoKey }
    ) {}

    get clientsStore() {
        const clients = this.#clients;
        return {
            getClient: (id: string) => clients.get(id),
            registerClient(client: Omit<Client, 'client_id' | 'client_id_issued_at'>): Client {
                // RFC 7591 §2: this server's policy on redirect URIs — loopback only, no userinfo, no fragment.
                if (!client.redirect_uris.every((uri) => isLoopbackRedirect(String(uri)))) throw new InvalidClientMetadataError('redirect_uris must be loopback URLs');
                const registered = { ...client, client_id: randomBytes(16).toString('hex'), client_id_issued_at: Math.floor(Date.now() / 1000) } as Client;
                clients.set(registered.client_id, registered);
                return registered;
            }
        };
    }

    async authorize(client: Client, params: AuthorizationParams, res: Response): Promise<void> {
        // RFC 6749 §4.1.2.1, the MCP spec: the redirect URI matches a registered one exactly — the router lets a
        // loopback port vary (RFC 8252 §7.3), so check here, and never redirect to an unmatched URI.
        if (!client.redirect_uris.map(String).includes(params.redirectUri)) {
            res.status(400).type('text/plain').send('The redirect_uri is not registered for this client.');
            return;
        }
        // RFC 8707 §2: tokens only for a resource this server serves; the router redirects the error with iss.
        const allowed = !values.resource || values.resource.includes(params.resource?.href ?? '');
        if (!params.resource || !allowed) throw new InvalidTargetError('this authorization server does not issue tokens for that resource');
        const body = (res.req.method === 'POST' ? res.req.body : {}) as Record<string, string>;
        if (!body.decision) return this.#showConsent(client, params, res);
        // The form is bound to the request it was shown for, and usable once (CSRF).
        const shown = this.#consents.take(body.consent ?? '');
        if (!shown || shown.clientId !== client.client_id || shown.codeChallenge !== params.codeChallenge || shown.state !== params.state || shown.redirectUri !== params.redirectUri) {
            res.status(400).type('text/plain').send('This consent form is no longer valid; start the authorization again.');
            return;
        }
        const callback = new URL(params.redirectUri);
        if (params.state !== undefined) callback.searchParams.set('state', params.state);
        if (body.decision !== 'approve') {
            callback.searchParams.set('error', 'access_denied'); // RFC 6749 §4.1.2.1
            return this.#sendToCallback(res, callback);
        }
        const code = secret();
        const scopes = (params.scopes ?? []).filter((scope) => GRANTABLE_SCOPES.includes(scope));
        const grant = { clientId: client.client_id, scopes: scopes.length ? scopes : ['files:read'], resource: params.resource.href };
        this.#codes.set(code, { ...grant, redirectUri: params.redirectUri, challenge: params.codeChallenge, expiresAt: Date.now() + CODE_TTL_S * 1000 });
        callback.searchParams.set('code', code);
        this.#sendToCallback(res, callback);
    }

    /** The authorization response. `res.redirect` is what the router wraps to append `iss` (RFC 9207 §2). */
    #sendToCallback(res: Response, callback: URL): void {
        if (values['redirect-with'] === 'location-header') res.writeHead(302, { Location: callback.href }).end(); // the pitfall: no iss
        else res.redirect(302, callback.href);
    }

    #showConsent(client: Client, params: AuthorizationParams, res: Response): void {
        const consent = secret();
        this.#consents.set(consent, { ...params, clientId: client.client_id });
        const fields: Record<string, string | undefined> = {
            response_type: 'code',
            client_id: client.client_id,
            redirect_uri: params.redirectUri,
            code_challenge: params.codeChallenge,
            code_challenge_method: 'S256',
            scope: params.scopes?.join(' '),
            state: params.state,
            resource: params.resource?.href,
            consent
        };
        const hidden = Object.entries(fields)
            .filter(([, value]) => value !== undefined)
            .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value!)}">`)
            .join('\n');
        // The client's name is self-asserted text: escaped, and the page cannot be framed.
        res.set({ 'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; form-action 'self'", 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' });
        res.type('html').send(`<!doctype html><title>Authorize</title>
<p>Allow <b>${escapeHtml(String(client.client_name ?? client.client_id))}</b> to use <code>${escapeHtml(params.resource?.href ?? '')}</code>
with scope <code>${escapeHtml(params.scopes?.join(' ') ?? '')}</code>? (It will be granted what this server grants: ${GRANTABLE_SCOPES.join(', ')}.)</p>
<form method="post" action="/authorize">
${hidden}
<button type="submit" name="decision" value="deny">Deny</button> <button type="submit" name="decision" value="approve">Approve</button>
</form>`);
    }

    async challengeForAuthorizationCode(client: Client, code: string): Promise<string> {
        const entry = this.#codes.get(code);
        if (!entry || entry.clientId !== client.client_id || entry.expiresAt < Date.now()) throw new InvalidGrantError('unknown, expired or foreign authorization code');
        return entry.challenge; // the router compares it with the verifier (RFC 7636 §4.6)
    }

    async exchangeAuthorizationCode(client: Client, code: string, _verifier?: string, redirectUri?: string, resource?: URL) {
        // RFC 6749 §4.1.2: single use; §4.1.3: the same client and redirect URI; RFC 8707: the same resource.
        const entry = this.#codes.take(code);
        if (!entry || entry.clientId !== client.client_id || entry.expiresAt < Date.now()) throw new InvalidGrantError('unknown, expired or foreign authorization code');
        if (redirectUri !== entry.redirectUri) throw new InvalidGrantError('redirect_uri differs from the authorization request');
        if (resource && resource.href !== entry.resource) throw new InvalidTargetError('resource differs from the authorization request');
        return this.tokensFor(entry);
    }

    async exchangeRefreshToken(client: Client, refreshToken: string, scopes?: string[], resource?: URL) {
        // RFC 9700 §4.14.2: refresh tokens rotate; RFC 6749 §6: a refresh can narrow scope, never widen it.
        const entry = this.#refreshTokens.take(refreshToken);
        if (!entry || entry.clientId !== client.client_id) throw new InvalidGrantError('unknown or foreign refresh token');
        if (scopes?.some((scope) => !entry.scopes.includes(scope))) throw new InvalidGrantError('a refresh cannot widen scope');
        if (resource && resource.href !== entry.resource) throw new InvalidTargetError('resource differs from the original grant');
        return this.tokensFor({ ...entry, scopes: scopes?.length ? scopes : entry.scopes });
    }

    async tokensFor(grant: Grant) {
        const refreshToken = secret();
        this.#refreshTokens.set(refreshToken, grant);
        // RFC 9068: a JWT access token with typ at+jwt, aud = the resource, the granted scope.
        const accessToken = await new SignJWT({ client_id: grant.clientId, scope: grant.scopes.join(' ') })
            .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'sdk-router-as' })
            .setIssuer(this.issuer)
            .setSubject('demo-user')
            .setAudience(grant.resource)
            .setIssuedAt()
            .setExpirationTime(`${ACCESS_TOKEN_TTL_S}s`)
            .setJti(secret())
            .sign(this.keys.privateKey);
        return { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, scope: grant.scopes.join(' '), refresh_token: refreshToken };
    }

    async verifyAccessToken(token: string) {
        try {
            const { payload } = await jwtVerify(token, this.keys.publicKey, { issuer: this.issuer, typ: 'at+jwt', algorithms: ['ES256'] });
            return { token, clientId: String(payload.client_id), scopes: String(payload.scope ?? '').split(' '), expiresAt: payload.exp, resource: new URL(String(payload.aud)) };
        } catch {
            throw new InvalidTokenError('the access token is not valid');
        }
    }

    async revokeToken(client: Client, request: { token: string }): Promise<void> {
        // RFC 7009 §2.2: an unknown token is not an error; a client revokes only its own.
        if (this.#refreshTokens.get(request.token)?.clientId === client.client_id) this.#refreshTokens.delete(request.token);
    }
}

const keys = await generateKeyPair('ES256');
const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'sdk-router-as', alg: 'ES256', use: 'sig' }] };
const app = express();
// One line per request (method, path, status): what a reader watches while a client signs in.
app.use((req, res, next) => {
    const path = req.path; // read now: the router's handlers rewrite it while they run
    res.on('finish', () => console.log(`${req.method} ${path} ${res.statusCode}`));
    next();
});
const server = app.listen(Number(values.port), '127.0.0.1', () => {
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // mcpAuthRouter must be mounted at the root: its issuer is the origin, which URL spells with a trailing `/`.
    const issuerUrl = new URL(origin);
    const provider = new DemoProvider(issuerUrl.href, keys);
    const options: AuthRouterOptions = {
        provider,
        issuerUrl,
        scopesSupported: [...GRANTABLE_SCOPES, 'files:admin'],
        clientRegistrationOptions: { rateLimit: { max: Number(values['registrations-per-hour']) } }
    };
    // Workaround: the router's metadata has no jwks_uri, which a resource server needs to verify tokens.
    const metadata = { ...createOAuthMetadata(options), jwks_uri: `${origin}/jwks.json` };
    app.get('/.well-known/oauth-authorization-server', (_req, res) => void res.json(metadata));
    app.get('/jwks.json', (_req, res) => void res.json(jwks));
    app.use(mcpAuthRouter(options));
    console.log(`issuer ${issuerUrl.href}; authorization responses ${values['redirect-with'] === 'res-redirect' ? 'carry iss' : 'lack iss'}; iss ${provider.authorizationResponseIssParameterSupported ? '' : 'not '}advertised`);
    console.log(`listening on ${origin}`);
});
server.on('error', (error) => {
    console.error(`sdk-router-as: ${error.message}`);
    process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)).closeAllConnections());
