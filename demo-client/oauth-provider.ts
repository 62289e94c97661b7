/**
 * The client's OAuthClientProvider: everything the SDK needs to bind one
 * authorization to its callback — `state`, the PKCE verifier, the discovery
 * state (SEP-2352) — plus registrations and tokens kept per authorization
 * server issuer in the token store. The SDK runs the OAuth flow; this class
 * only remembers, tells the host when the user must be sent somewhere, and
 * refuses a discovery that names an endpoint credentials may not go to.
 */
import { randomBytes } from 'node:crypto';
import {
    DpopSession,
    type OAuthClientInformationContext,
    type OAuthClientMetadata,
    type OAuthClientProvider,
    type OAuthDiscoveryState,
    type StoredOAuthClientInformation,
    type StoredOAuthTokens
} from '@modelcontextprotocol/client';
import { assertDiscoveredEndpoints } from './credential-endpoint.ts';
import { keyPairFrom, newDpopKeyPair, storableKey } from './dpop-key.ts';
import type { TokenStore } from './token-store.ts';

export const CLIENT_NAME = 'scoped-tools demo client';

/** An authorization the SDK started and the user (or the headless agent) must now complete. */
export interface AuthorizationRequest {
    url: URL;
    state: string;
    /** The scope the SDK asked for — after a 403, the union of held and challenged scope. */
    scope?: string;
}

export class StoryOAuthProvider implements OAuthClientProvider {
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
        readonly useDpop = true
    ) {}

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

    /** The registration for `ctx.issuer` — only if it was made with the redirect URI we listen on now. */
    clientInformation(ctx?: OAuthClientInformationContext): StoredOAuthClientInformation | undefined {
        if (!ctx) return undefined;
        const stored = this.store.clientFor(ctx.issuer);
        // RFC 6749 §3.1.2.3 exact redirect matching: a registration for another port would be refused at /authorize.
        return stored?.redirectUri === this.redirectUrl ? stored.information : undefined;
    }

    saveClientInformation(information: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext): void {
        const issuer = ctx?.issuer ?? information.issuer;
        if (issuer) this.store.saveClient(issuer, information, this.redirectUrl);
    }

    tokens(ctx?: OAuthClientInformationContext): StoredOAuthTokens | undefined {
        const tokens = this.store.tokensFor(this.resource, ctx?.issuer);
        // A DPoP-bound token is useless without DPoP (RFC 9449 §7.2): with --no-dpop it is as good as none.
        return !this.useDpop && tokens?.token_type?.toLowerCase() === 'dpop' ? undefined : tokens;
    }

    saveTokens(tokens: StoredOAuthTokens, ctx?: OAuthClientInformationContext): void {
        const issuer = ctx?.issuer ?? tokens.issuer;
        if (issuer) this.store.saveTokens(this.resource, issuer, tokens);
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
