/**
 * LangChain's MCP adapters (`@langchain/mcp-adapters`), set up as its README's "OAuth 2.0 Authentication"
 * section sets up a host: a `MultiServerMCPClient` with one Streamable HTTP server and an `authProvider`, an
 * OAuthClientProvider of the MCP SDK (v1, the adapters' dependency) whose client metadata names the redirect URI
 * and the client, and `getTools()` to connect and list. Tools are called as an agent calls them, `tool.invoke(args)`.
 *
 * The README leaves "the other required methods" and the redirect to "MCP SDK documentation"; this host takes them
 * from the SDK v1's own OAuth example (examples/client/simpleOAuthClient.ts with its simpleOAuthClientProvider.ts,
 * shipped in @modelcontextprotocol/sdk): an in-memory provider whose redirect opens the browser, and, when the
 * first connection fails for want of authorization, wait for the callback, redeem the code, connect again. The
 * SDK's transport does the redeeming in `finishAuth(code)`; a LangChain host never holds that transport, so it
 * calls what `finishAuth` calls, the SDK's `auth(provider, { serverUrl, authorizationCode })`. Like the SDK's
 * example, the host does this once, at connect; what happens mid-session (a 401 or a 403 on a tool call) is the
 * adapters' and the SDK's alone — the README promises "automatic 401 error recovery" and no host code for it.
 * The listener stays open until close, but mid-session the host redeems no callback, as the SDK example's tool
 * loop redeems none.
 *
 * The README's example metadata names the scopes of an imaginary server ("mcp:read mcp:write"); this host names
 * none, so that the server's challenge decides. The adapters accept no `fetch`, so the wire is seen only in the AS's
 * and RS's own logs. MATRIX_CALLBACK_PORT stands for the example's fixed port 8090; the redirect host is the kit
 * listener's 127.0.0.1 where the example writes `localhost`.
 *
 * @client LangChain (@langchain/mcp-adapters)
 * @packages @langchain/mcp-adapters@1.1.4 @langchain/core@1.4.0 @langchain/langgraph@1.7.3
 */
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { listenForCallbacks, matrix, openInBrowser, runPlan, type CallbackListener, type Host } from '../kit.ts';

const SERVER_NAME = 'files';

/** The SDK example's InMemoryOAuthClientProvider, with the README's client metadata. */
class InMemoryOAuthClientProvider implements OAuthClientProvider {
    private client?: OAuthClientInformationMixed;
    private stored?: OAuthTokens;
    private verifier?: string;
    /** How many times the library sent the person to the AS. */
    redirects = 0;

    constructor(readonly redirectUrl: string) {}

    get clientMetadata(): OAuthClientMetadata {
        return { redirect_uris: [this.redirectUrl], client_name: 'My MCP Client' };
    }
    clientInformation() { return this.client; }
    saveClientInformation(information: OAuthClientInformationMixed) { this.client = information; }
    tokens() { return this.stored; }
    saveTokens(tokens: OAuthTokens) { this.stored = tokens; }
    redirectToAuthorization(url: URL) {
        this.redirects += 1;
        openInBrowser(url);
    }
    saveCodeVerifier(verifier: string) { this.verifier = verifier; }
    codeVerifier() {
        if (!this.verifier) throw new Error('No code verifier saved');
        return this.verifier;
    }
}

interface InvocableTool {
    name: string;
    invoke(args: Record<string, unknown>): Promise<unknown>;
}

type Block = { text?: string };

/** The text of what a tool answered: a string, one content block, or several (alone or as [content, artifact]). */
function toolText(output: unknown): string {
    if (typeof output === 'string') return output;
    const blocks = Array.isArray(output) && Array.isArray(output[0]) ? output[0] : output;
    if (Array.isArray(blocks)) return blocks.map((block: Block) => block.text ?? '').join('\n');
    return (blocks as Block).text ?? JSON.stringify(blocks);
}

class LangChainHost implements Host {
    private listener!: CallbackListener;
    private provider!: InMemoryOAuthClientProvider;
    private client!: MultiServerMCPClient;
    private tools: InvocableTool[] = [];

    private newClient(): MultiServerMCPClient {
        return new MultiServerMCPClient({
            mcpServers: { [SERVER_NAME]: { url: matrix.serverUrl, authProvider: this.provider } }
        });
    }

    /** The SDK example's recovery: the person is at the AS now; take the callback and redeem its code. */
    private async finishAuthorization(): Promise<void> {
        const callback = await this.listener.next();
        const code = callback.get('code');
        if (!code) throw new Error(`OAuth authorization failed: ${callback.get('error') ?? 'no code'}`);
        await auth(this.provider, { serverUrl: matrix.serverUrl, authorizationCode: code });
    }

    async connect(): Promise<void> {
        this.listener = await listenForCallbacks();
        this.provider = new InMemoryOAuthClientProvider(this.listener.redirectUrl);
        this.client = this.newClient();
        try {
            this.tools = (await this.client.getTools()) as unknown as InvocableTool[];
        } catch (error) {
            // The adapters wrap the SDK's UnauthorizedError in their own error; that the library sent the person
            // to the AS is what says authorization is due.
            if (this.provider.redirects === 0) throw error;
            console.error(`first connection failed (${String(error).split('\n')[0]}); waiting for the callback`);
            await this.finishAuthorization();
            await this.client.close();
            this.client = this.newClient();
            this.tools = (await this.client.getTools()) as unknown as InvocableTool[];
        }
    }

    async callTool(name: string, args: Record<string, unknown>): Promise<string> {
        const tool = this.tools.find((candidate) => candidate.name === name);
        if (!tool) throw new Error(`the server lists no tool ${name}`);
        return toolText(await tool.invoke(args));
    }

    async close(): Promise<void> {
        await this.client?.close();
        await this.listener?.close();
    }
}

await runPlan(new LangChainHost());
