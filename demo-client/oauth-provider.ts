/**
 * The client's OAuthClientProvider: everything the SDK needs to bind one
 * authorization to its callback — `state`, the PKCE verifier, the discovery
 * state (SEP-2352) — plus registrations and tokens kept per authorization
 * server issuer in the token store. The SDK runs the OAuth flow; this class
 * only remembers, tells the host when the user must be sent somewhere, and
 * refuses a discovery that names an endpoint credentials may not go to.
 *
 * With a pre-registered client (`--client-id`, pre-registered-client.ts) it is
 * a provider that cannot register: it has no `saveClientInformation`, so the
 * SDK never sends a registration request (RFC 7591) and refuses, rather than
 * re-registers, a client stamped for another issuer (SEP-2352).
 */
import { randomBytes } from 'node:crypto';
import {
    DpopSession,
    type AddClientAuthentication,
    type OAuthClientInformationContext,
    type OAuthClientMetadata,
    type OAuthClientProvider,
    type OAuthDiscoveryState,
    type StoredOAuthClientInformation,
    type StoredOAuthTokens
} from '@modelcontextprotocol/client';
import { assertDiscoveredEndpoints } from './credential-endpoint.ts';
import { keyPairFrom, newDpopKeyPair, storableKey } from './dpop-key.ts';
import { ClientFailure } from './failures.ts';
import { authenticate, chooseAuthMethod, wrongIssuerLine, type ClientAuthMethod, type PreRegisteredClient } from './pre-registered-client.ts';
import type { TokenStore } from './token-store.ts';

export const CLIENT_NAME = 'scoped-tools demo client';

/** An authorization the SDK started and the user (or the headless agent) must now complete. */
export interface AuthorizationRequest {
    url: URL;
    state: string;
    /** The scope the SDK asked for — after a 403, the union of held and challenged scope. */
    scope?: string;
}

/** What the provider tells its host about the client it uses. */
export interface PreRegisteredClientUse {
    issuer: string;
    clientId: string;
    method: ClientAuthMethod;
}

export class StoryOAuthProvider implements OAuthClientProvider {
    /** Only a provider that may register has this: its absence is what keeps the SDK from registering. */
    readonly saveClientInformation?: (information: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext) => void;
    /** Only with a pre-registered confidential client: its secret, sent the way the AS metadata allows. */
    readonly addClientAuthentication?: AddClientAuthentication;
    private readonly announcedIssuers = new Set<string>();
    private issuedState?: string;
    private verifier?: string;
    private discovery?: OAuthDiscoveryState;
    private started?: AuthorizationRequest;
    private dpopSession?: Promise<DpopSession>;

    constructor(
        private readonly store: TokenStore,
        /** The resource (`--server`) these tokens are for: the key of the token entry. */
        private readonly resource: string,
        private readonly callback: { readonly redirectUrl: string },
        /** An HTTPS URL where this client's metadata document is published, if it has one (CIMD). */
        readonly clientMetadataUrl?: string,
        /** Whether to ask for DPoP-bound tokens (RFC 9449); `--no-dpop` turns it off. */
        readonly useDpop = true,
        /** `--client-id`: the client the administrator registered; without it, the client registers itself. */
        readonly preRegistered?: PreRegisteredClient,
        /** Told once per issuer which pre-registered client is used there, and how it authenticates. */
        private readonly onPreRegisteredClient?: (use: PreRegisteredClientUse) => void
    ) {
        if (!preRegistered) this.saveClientInformation = (information, ctx) => this.saveRegistration(information, ctx);
        else if (preRegistered.secret !== undefined) this.addClientAuthentication = (headers, params, _url, metadata) => authenticate(this.authMethod(metadata), preRegistered, headers, params);
    }

    /**
     * RFC 9449 / SEP-1932: the SDK signs a proof into every token request with
     * this session and presents DPoP tokens with the DPoP scheme and a fresh
     * proof per request. Its key is the one stored with this resource's tokens.
     */
    dpop(): Promise<DpopSession> | undefined {
        if (!this.useDpop) return undefined;
        this.dpopSession ??= this.loadDpopSession();
        return this.dpopSession;
    }

    private async loadDpopSession(): Promise<DpopSession> {
        const stored = this.store.dpopKeyFor(this.resource);
        const keyPair = (stored && (await keyPairFrom(stored))) || (await newDpopKeyPair());
        if (!stored || stored.x !== keyPair.publicJwk.x) this.store.saveDpopKey(this.resource, await storableKey(keyPair));
        return DpopSession.create({ keyPair });
    }

    get redirectUrl(): string {
        return this.callback.redirectUrl;
    }

    get clientMetadata(): OAuthClientMetadata {
        return {
            client_name: CLIENT_NAME,
            redirect_uris: [this.redirectUrl],
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code']
        };
    }

    /** A fresh unguessable state per authorization (RFC 6749 §10.12). */
    state(): string {
        this.issuedState = randomBytes(32).toString('base64url');
        return this.issuedState;
    }

    /**
     * The pre-registered client, stamped with the issuer discovery settled on; otherwise the registration
     * for `ctx.issuer` — only if it was made with the redirect URI we listen on now.
     */
    clientInformation(ctx?: OAuthClientInformationContext): StoredOAuthClientInformation | undefined {
        if (this.preRegistered) return this.preRegisteredInformation(this.preRegistered, ctx?.issuer);
        if (!ctx) return undefined;
        const stored = this.store.clientFor(ctx.issuer);
        // RFC 6749 §3.1.2.3 exact redirect matching: a registration for another port would be refused at /authorize.
        return stored?.redirectUri === this.redirectUrl ? stored.information : undefined;
    }

    private saveRegistration(information: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext): void {
        const issuer = ctx?.issuer ?? information.issuer;
        if (issuer) this.store.saveClient(issuer, information, this.redirectUrl);
    }

    /** What the SDK knows of a pre-registered client: its id and method, never its secret (the secret is added per request). */
    private preRegisteredInformation(client: PreRegisteredClient, issuer: string | undefined): StoredOAuthClientInformation {
        const elsewhere = issuer === undefined ? undefined : wrongIssuerLine(client, issuer);
        if (elsewhere) throw new ClientFailure(elsewhere);
        const method = this.authMethod(this.discovery?.authorizationServerMetadata);
        if (issuer !== undefined && !this.announcedIssuers.has(issuer)) {
            this.announcedIssuers.add(issuer);
            this.onPreRegisteredClient?.({ issuer, clientId: client.clientId, method });
        }
        return { client_id: client.clientId, token_endpoint_auth_method: method, issuer };
    }

    /** How the pre-registered client authenticates at this AS's token endpoint; one line when it cannot. */
    private authMethod(metadata: Parameters<typeof chooseAuthMethod>[1]): ClientAuthMethod {
        const choice = chooseAuthMethod(this.preRegistered!, metadata);
        if ('problem' in choice) throw new ClientFailure(choice.problem);
        return choice.method;
    }

    tokens(ctx?: OAuthClientInformationContext): StoredOAuthTokens | undefined {
        const tokens = this.store.tokensFor(this.resource, ctx?.issuer);
        // A DPoP-bound token is useless without DPoP (RFC 9449 §7.2): with --no-dpop it is as good as none.
        return !this.useDpop && tokens?.token_type?.toLowerCase() === 'dpop' ? undefined : tokens;
    }

    saveTokens(tokens: StoredOAuthTokens, ctx?: OAuthClientInformationContext): void {
        const issuer = ctx?.issuer ?? tokens.issuer;
        if (!issuer) return;
        // `logout` revokes with the client_id kept per issuer; a pre-registered client is kept there too, without its secret.
        if (this.preRegistered && this.store.clientFor(issuer)?.information.client_id !== this.preRegistered.clientId) {
            this.store.saveClient(issuer, { client_id: this.preRegistered.clientId, issuer }, this.redirectUrl);
        }
        this.store.saveTokens(this.resource, issuer, tokens);
    }

    redirectToAuthorization(url: URL): void {
        const state = url.searchParams.get('state');
        if (!state || state !== this.issuedState) throw new Error('the authorization URL does not carry the state this client issued');
        this.started = { url, state, scope: url.searchParams.get('scope') ?? undefined };
    }

    /** The authorization the SDK started since the last call, if any (handed out once). */
    takeAuthorizationRequest(): AuthorizationRequest | undefined {
        const started = this.started;
        this.started = undefined;
        return started;
    }

    saveCodeVerifier(codeVerifier: string): void {
        this.verifier = codeVerifier;
    }

    codeVerifier(): string {
        if (!this.verifier) throw new Error('no PKCE code verifier: this run started no authorization');
        return this.verifier;
    }

    /**
     * The SDK calls this once discovery settled, before it registers or redeems anything: the moment to
     * refuse endpoints that would receive a credential in the clear (credential-endpoint.ts).
     */
    saveDiscoveryState(state: OAuthDiscoveryState): void {
        assertDiscoveredEndpoints(this.resource, state);
        this.discovery = state;
    }

    discoveryState(): OAuthDiscoveryState | undefined {
        return this.discovery;
    }

    /** The issuer discovery settled on in this run, if any. */
    get issuer(): string | undefined {
        return this.discovery?.authorizationServerMetadata?.issuer;
    }

    invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
        const issuer = this.issuer;
        if ((scope === 'all' || scope === 'client') && issuer) this.store.forgetClient(issuer);
        if (scope === 'all' || scope === 'tokens') this.store.forgetTokens(this.resource, issuer);
        if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
        if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    }
}
