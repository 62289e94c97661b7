/**
 * Mastra's MCP client as its reference sets up a host: an `MCPClient` whose HTTP server entry has a `url` and an
 * `MCPOAuthClientProvider`, and `authenticate()` when the server is left in the `needs-auth` state.
 *
 * @client Mastra
 * @packages @mastra/mcp@2.0.0 @mastra/core@1.71.0 zod@4.6.7
 * @node node@22
 *
 * Pinned with it: its required peer `@mastra/core` (the newest 1.x) and that one's peer zod, so npm does not choose.
 *
 * Followed: the package's own reference, node_modules/@mastra/mcp/dist/docs/references/reference-tools-mcp-client.md
 * (mastra.ai/reference/tools/mcp-client), sections "OAuth authentication" and "Interactive browser authentication":
 * a loopback `redirectUrl`, `clientMetadata` with `redirect_uris` = every URL `getCallbackUrlCandidates()` returns
 * (the redirect URL and its next ten ports: eleven), `onRedirectToAuthorization` opening the browser (here kit's
 * person), and `try { await mcp.listTools() } catch { if needs-auth: await mcp.authenticate(server) }`.
 * `authenticate()` runs the library's own one-shot callback listener for that flow and closes it afterwards.
 *
 * Client identity: @mastra/mcp 2.x never registers a client at runtime (reference-migrations-mcp-v2.md, "OAuth
 * clients are pre-registered or use a Client ID Metadata Document"). A metadata document must be served over https,
 * which demo-as does not fetch, so this host takes the other documented way: the client is registered once with
 * the AS before the client starts — here at demo-as's RFC 7591 endpoint, the only registration demo-as offers, found
 * the way the AS publishes it (RFC 9728 → RFC 8414) — with the same `clientMetadata`, and the provider is given the
 * resulting `clientInformation`. That registration is the operator's step, not the library's.
 *
 * Host choices: the reference's example runs `listTools()` in try/catch and calls `authenticate()` in the catch.
 * With 2.0.0 that example never authenticates (`listTools()` does not throw when the server refuses: it logs and
 * returns no tools), and its first attempt already sends the person to a consent page whose callback no listener
 * will accept (the transport redirects on the 401 before `authenticate()` has pinned a state), so the person
 * consents twice and which of the two callbacks arrives first varies. This host therefore calls `authenticate()`
 * first, as the reference's prose allows ("With valid stored tokens the call reconnects without opening a
 * browser"): one consent. A tool call is retried after `authenticate()` only when Mastra reports `needs-auth`;
 * otherwise the library's error is reported as it surfaced. The server's `fetch` is kit's recording fetch (Mastra
 * uses it for MCP and OAuth requests alike).
 */
import { discoverAuthorizationServerMetadata, discoverOAuthProtectedResourceMetadata, getCallbackUrlCandidates, MCPClient, MCPOAuthClientProvider } from '@mastra/mcp';
import { matrix, openInBrowser, recordingFetch, runPlan, type Host } from '../kit.ts';

const SERVER = 'story';
/** The reference's example port, unless the runner chose one. */
const redirectUrl = `http://127.0.0.1:${matrix.callbackPort || 5533}/oauth/callback`;
const fetchFn = recordingFetch();

const clientMetadata = {
    redirect_uris: getCallbackUrlCandidates(redirectUrl).map((url) => url.toString()),
    client_name: 'Mastra (client matrix)',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code']
};

/** The operator's one-time registration of this client with the AS (RFC 7591), before the client runs. */
async function registerWithTheAuthorizationServer(): Promise<{ client_id: string }> {
    const resource = await discoverOAuthProtectedResourceMetadata(matrix.serverUrl, {}, fetchFn);
    const issuer = resource.authorization_servers?.[0];
    if (!issuer) throw new Error('the resource names no authorization server');
    const metadata = await discoverAuthorizationServerMetadata(issuer, { fetchFn });
    if (!metadata?.registration_endpoint) throw new Error('the authorization server offers no registration endpoint');
    const response = await fetchFn(metadata.registration_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(clientMetadata)
    });
    const body = (await response.json()) as { client_id?: string; error_description?: string };
    if (!response.ok || !body.client_id) throw new Error(`registration refused (HTTP ${response.status}): ${body.error_description ?? 'no reason given'}`);
    return { client_id: body.client_id };
}

const clientInformation = await registerWithTheAuthorizationServer().catch((error: Error) => error);

const mcp =
    clientInformation instanceof Error
        ? undefined
        : new MCPClient({
              servers: {
                  [SERVER]: {
                      url: new URL(matrix.serverUrl),
                      fetch: fetchFn,
                      authProvider: new MCPOAuthClientProvider({
                          redirectUrl,
                          clientInformation,
                          clientMetadata,
                          onRedirectToAuthorization: (url) => openInBrowser(url)
                      })
                  }
              }
          });

/** The reference's pattern: when Mastra has recorded that the server needs authorization, authenticate and run `work` again. */
async function authenticatingOnce<T>(client: MCPClient, work: () => Promise<T>): Promise<T> {
    const outcome = await work().then(
        (value) => ({ value }),
        (error: unknown) => ({ error })
    );
    if (client.getServerAuthState(SERVER) !== 'needs-auth') {
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
    }
    await client.authenticate(SERVER);
    return work();
}

function textOf(result: unknown): string {
    const content = (result as { content?: Array<{ type: string; text?: string }> })?.content;
    if (!content) return JSON.stringify(result);
    const text = content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
    if ((result as { isError?: boolean }).isError) throw new Error(`the tool answered with an error: ${text}`);
    return text;
}

const host: Host = {
    async connect() {
        if (!mcp) throw clientInformation;
        await mcp.authenticate(SERVER);
        const tools = await mcp.listTools();
        console.error(`tools: ${Object.keys(tools).join(', ')}`);
        if (Object.keys(tools).length === 0) throw new Error('no tools listed');
    },
    async callTool(name, args) {
        if (!mcp) throw new Error('not connected');
        const result = await authenticatingOnce(mcp, async () => {
            // listToolsWithErrors: the same tools as listTools(), and the library's reason when there are none.
            const { tools, errors } = await mcp.listToolsWithErrors();
            const tool = tools[`${SERVER}_${name}`];
            if (!tool?.execute) throw new Error(errors[SERVER] ?? `no tool ${name}`);
            // An agent hands `execute` its whole run context; a direct call has none to give (Mastra's MCP tool
            // reads only optional parts of it: request context, run id, abort signal).
            return tool.execute(args, {} as Parameters<typeof tool.execute>[1]);
        });
        return textOf(result);
    },
    async close() {
        await mcp?.disconnect();
    }
};

await runPlan(host);
