/**
 * The Vercel AI SDK's MCP client (`@ai-sdk/mcp`), set up as its own OAuth example sets up a host
 * (vercel/ai examples/mcp/src/mcp-with-auth/client.ts; the reference page
 * content/docs/07-reference/01-ai-sdk-core/23-create-mcp-client.mdx for the transport options):
 *
 * - an in-memory OAuthClientProvider whose registration metadata asks `client_secret_post`, and whose
 *   `addClientAuthentication` authenticates the way the registration response says (a secret if one was issued,
 *   otherwise only `client_id`);
 * - the authorization done once, before the client exists: `auth()`, and if it answers REDIRECT, one callback
 *   listener that takes the first code, closes, and hands the code to `auth()` again;
 * - then `createMCPClient` with the HTTP transport and the same provider, and `mcpClient.tools()`; each tool call
 *   is the client's `callTool`, which those tools' `execute` wraps when `generateText` calls them (no model is
 *   needed to drive the matrix).
 *
 * Where the example hard-codes things this host takes them from the matrix: the callback port
 * (MATRIX_CALLBACK_PORT, as the example's MCP_CALLBACK_PORT), the redirect host (127.0.0.1, the loopback literal
 * the kit's listener binds, where the example writes `localhost`), the browser (kit's `openInBrowser`), and the
 * recording fetch, handed both to `auth()` (`fetchFn`) and to the transport (`fetch`). The example passes neither
 * `state` nor `iss` from the callback to `auth()`, so neither does this host. An error the library raises mid-session
 * (a 401 after which it sent the person to the AS, a 403) is left as the library reports it: the example has no
 * code for either.
 *
 * @client Vercel AI SDK (@ai-sdk/mcp)
 * @packages @ai-sdk/mcp@2.0.99 zod@4.6.7
 */
import {
    auth,
    createMCPClient,
    type MCPClient,
    type OAuthClientInformation,
    type OAuthClientMetadata,
    type OAuthClientProvider,
    type OAuthTokens
} from '@ai-sdk/mcp';
import { listenForCallbacks, matrix, openInBrowser, recordingFetch, runPlan, type Host } from '../kit.ts';

type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'none';

/** What the registration response may carry besides the typed fields. */
type RegisteredClient = OAuthClientInformation & { token_endpoint_auth_method?: ClientAuthMethod; client_secret?: string };

class InMemoryOAuthClientProvider implements OAuthClientProvider {
    private stored?: OAuthTokens;
    private verifier?: string;
    private client?: RegisteredClient;

    constructor(readonly redirectUrl: string) {}

    get clientMetadata(): OAuthClientMetadata {
        // The example's registration metadata, token_endpoint_auth_method included.
        return {
            client_name: 'AI SDK MCP OAuth Example',
            redirect_uris: [this.redirectUrl],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_post'
        };
    }
    tokens() { return this.stored; }
    saveTokens(tokens: OAuthTokens) { this.stored = tokens; }
    redirectToAuthorization(url: URL) { openInBrowser(url); }
    saveCodeVerifier(verifier: string) { this.verifier = verifier; }
    codeVerifier() {
        if (!this.verifier) throw new Error('No code verifier saved');
        return this.verifier;
    }
    clientInformation() { return this.client; }
    saveClientInformation(information: OAuthClientInformation) { this.client = information as RegisteredClient; }

    /** As the example: the method the registration response assigned, else a secret if there is one, else none. */
    addClientAuthentication = async (headers: Headers, params: URLSearchParams): Promise<void> => {
        const client = this.client;
        if (!client) return;
        const method = client.token_endpoint_auth_method ?? (client.client_secret ? 'client_secret_post' : 'none');
        if (method === 'client_secret_basic' && client.client_secret) {
            headers.set('Authorization', `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`);
            return;
        }
        params.set('client_id', client.client_id);
        if (method === 'client_secret_post' && client.client_secret) params.set('client_secret', client.client_secret);
    };

    invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier') {
        if (scope === 'all' || scope === 'tokens') this.stored = undefined;
        if (scope === 'all' || scope === 'client') this.client = undefined;
        if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    }
}

function toolText(result: unknown): string {
    const { content, isError } = result as { content?: Array<{ text?: string }>; isError?: boolean };
    const text = (content ?? []).map((part) => part.text ?? '').join('\n');
    if (isError) throw new Error(`tool error: ${text}`);
    return text;
}

class AiSdkHost implements Host {
    private mcpClient?: MCPClient;

    /** The example's `authorizeWithPkceOnce`: one listener, one code, then it is closed. */
    private async authorizeOnce(provider: OAuthClientProvider, waitForCode: () => Promise<string>): Promise<void> {
        const serverUrl = new URL(matrix.serverUrl);
        const result = await auth(provider, { serverUrl, fetchFn: recordingFetch() });
        if (result === 'AUTHORIZED') return;
        await auth(provider, { serverUrl, authorizationCode: await waitForCode(), fetchFn: recordingFetch() });
    }

    async connect(): Promise<void> {
        const listener = await listenForCallbacks();
        const provider = new InMemoryOAuthClientProvider(listener.redirectUrl);
        const waitForCode = async (): Promise<string> => {
            const callback = await listener.next();
            const code = callback.get('code');
            if (!code) throw new Error(`Authorization failed: ${callback.get('error') ?? 'missing code'}`);
            return code;
        };
        // The example's listener closes once its one callback has come; nothing listens after this.
        await this.authorizeOnce(provider, waitForCode).finally(() => listener.close());
        this.mcpClient = await createMCPClient({
            transport: { type: 'http', url: matrix.serverUrl, authProvider: provider, fetch: recordingFetch() }
        });
        await this.mcpClient.tools();
    }

    async callTool(name: string, args: Record<string, unknown>): Promise<string> {
        return toolText(await this.mcpClient!.callTool({ name, arguments: args }));
    }

    async close(): Promise<void> {
        await this.mcpClient?.close();
    }
}

await runPlan(new AiSdkHost());
