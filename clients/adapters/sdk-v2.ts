/**
 * The MCP TypeScript SDK's v2 client, as its docs set up a host: an
 * in-memory OAuthClientProvider, a StreamableHTTPClientTransport with it, and
 * the authorization-code dance around UnauthorizedError (open the browser,
 * wait for the callback, finishAuth, go on). Step-up is left to the
 * transport (`onInsufficientScope` at its default).
 *
 * @client MCP TypeScript SDK v2
 * @packages @modelcontextprotocol/client@2.4.0
 */
import {
    Client,
    StreamableHTTPClientTransport,
    UnauthorizedError,
    type OAuthClientMetadata,
    type OAuthClientProvider,
    type OAuthDiscoveryState,
    type StoredOAuthClientInformation,
    type StoredOAuthTokens
} from '@modelcontextprotocol/client';
import { listenForCallbacks, matrix, openInBrowser, recordingFetch, runPlan, type CallbackListener, type Host } from '../kit.ts';

class MemoryProvider implements OAuthClientProvider {
    private client?: StoredOAuthClientInformation;
    private stored?: StoredOAuthTokens;
    private verifier?: string;
    private discovery?: OAuthDiscoveryState;

    constructor(readonly redirectUrl: string) {}

    get clientMetadata(): OAuthClientMetadata {
        return { client_name: 'matrix: SDK v2', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
    }
    clientInformation() { return this.client; }
    saveClientInformation(information: StoredOAuthClientInformation) { this.client = information; }
    tokens() { return this.stored; }
    saveTokens(tokens: StoredOAuthTokens) { this.stored = tokens; }
    saveDiscoveryState(state: OAuthDiscoveryState) { this.discovery = state; }
    discoveryState() { return this.discovery; }
    saveCodeVerifier(verifier: string) { this.verifier = verifier; }
    codeVerifier() {
        if (!this.verifier) throw new Error('no PKCE verifier saved');
        return this.verifier;
    }
    invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
        if (scope === 'all' || scope === 'client') this.client = undefined;
        if (scope === 'all' || scope === 'tokens') this.stored = undefined;
        if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
        if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    }
    redirectToAuthorization(url: URL) { openInBrowser(url); }
}

class SdkV2Host implements Host {
    private listener!: CallbackListener;
    private provider!: MemoryProvider;
    private client!: Client;
    private transport!: StreamableHTTPClientTransport;

    private async open(): Promise<void> {
        this.client = new Client({ name: 'matrix-sdk-v2', version: '1.0.0' });
        this.transport = new StreamableHTTPClientTransport(new URL(matrix.serverUrl), { authProvider: this.provider, fetch: recordingFetch() });
        await this.client.connect(this.transport);
    }

    /** After UnauthorizedError the SDK has sent the person to the AS: take the callback and redeem it. */
    private async finishAuthorization(): Promise<void> {
        await this.transport.finishAuth(await this.listener.next());
    }

    async connect(): Promise<void> {
        this.listener = await listenForCallbacks();
        this.provider = new MemoryProvider(this.listener.redirectUrl);
        try {
            await this.open();
        } catch (error) {
            if (!(error instanceof UnauthorizedError)) throw error;
            await this.finishAuthorization();
            await this.open();
        }
        await this.client.listTools();
    }

    private async callOnce(name: string, args: Record<string, unknown>): Promise<string> {
        const result = await this.client.callTool({ name, arguments: args });
        const text = (result.content as Array<{ text?: string }>).map((part) => part.text ?? '').join('\n');
        if (result.isError) throw new Error(`tool error: ${text}`);
        return text;
    }

    async callTool(name: string, args: Record<string, unknown>): Promise<string> {
        try {
            return await this.callOnce(name, args);
        } catch (error) {
            if (!(error instanceof UnauthorizedError)) throw error;
            await this.finishAuthorization();
            return this.callOnce(name, args);
        }
    }

    async close(): Promise<void> {
        await this.client?.close();
        await this.listener?.close();
    }
}

await runPlan(new SdkV2Host());
