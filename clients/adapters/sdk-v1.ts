/**
 * The MCP TypeScript SDK's v1 client (`@modelcontextprotocol/sdk` 1.x, what
 * most MCP clients in the field run), as its docs set up a host: an in-memory
 * OAuthClientProvider, a StreamableHTTPClientTransport with it, and on
 * UnauthorizedError the person's browser, the callback's `code` handed to
 * `finishAuth`, and a retry. v1's finishAuth takes the code alone, so the
 * callback's `iss` is the host's to check — this host, as the docs show it,
 * does not.
 *
 * @client MCP TypeScript SDK v1
 * @packages @modelcontextprotocol/sdk@1.32.2
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { listenForCallbacks, matrix, MemoryCredentials, openInBrowser, recordingFetch, retryAfterAuthorization, runPlan, toolResultText, type CallbackListener, type Host } from '../kit.ts';

class MemoryProvider extends MemoryCredentials<OAuthClientInformationMixed, OAuthTokens> implements OAuthClientProvider {
    constructor(readonly redirectUrl: string) {
        super();
    }

    get clientMetadata(): OAuthClientMetadata {
        return { client_name: 'matrix: SDK v1', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
    }
    redirectToAuthorization(url: URL) { openInBrowser(url); }
}

class SdkV1Host implements Host {
    private listener!: CallbackListener;
    private provider!: MemoryProvider;
    private client!: Client;
    private transport!: StreamableHTTPClientTransport;

    private async open(): Promise<void> {
        this.client = new Client({ name: 'matrix-sdk-v1', version: '1.0.0' });
        this.transport = new StreamableHTTPClientTransport(new URL(matrix.serverUrl), { authProvider: this.provider, fetch: recordingFetch() });
        await this.client.connect(this.transport);
    }

    /** After UnauthorizedError the SDK has sent the person to the AS: take the callback's code and redeem it. */
    private async finishAuthorization(): Promise<void> {
        const params = await this.listener.next();
        const code = params.get('code');
        if (!code) throw new Error(`the authorization was not granted: ${params.get('error') ?? 'no code'}`);
        await this.transport.finishAuth(code);
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

await runPlan(new SdkV1Host());
