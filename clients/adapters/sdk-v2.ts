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
import { listenForCallbacks, matrix, MemoryCredentials, openInBrowser, recordingFetch, retryAfterAuthorization, runPlan, toolResultText, type CallbackListener, type Host } from '../kit.ts';

class MemoryProvider extends MemoryCredentials<StoredOAuthClientInformation, StoredOAuthTokens> implements OAuthClientProvider {
    private discovery?: OAuthDiscoveryState;

    constructor(readonly redirectUrl: string) {
        super();
    }

    get clientMetadata(): OAuthClientMetadata {
        return { client_name: 'matrix: SDK v2', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
    }
    saveDiscoveryState(state: OAuthDiscoveryState) { this.discovery = state; }
    discoveryState() { return this.discovery; }
    override invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
        super.invalidateCredentials(scope);
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
        // A transport starts once: after the authorization, connect anew.
        await retryAfterAuthorization(() => this.open(), (error) => error instanceof UnauthorizedError, () => this.finishAuthorization());
        await this.client.listTools();
    }

    async callTool(name: string, args: Record<string, unknown>): Promise<string> {
        const call = async () => toolResultText(await this.client.callTool({ name, arguments: args }));
        return retryAfterAuthorization(call, (error) => error instanceof UnauthorizedError, () => this.finishAuthorization());
    }

    async close(): Promise<void> {
        await this.client?.close();
        await this.listener?.close();
    }
}

await runPlan(new SdkV2Host());
