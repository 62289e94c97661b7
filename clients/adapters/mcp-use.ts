/**
 * mcp-use's TypeScript client as a Node host uses it: an `MCPClient` with one HTTP server whose
 * `authProvider` is mcp-use's own `NodeOAuthClientProvider` (`mcp-use/auth/node`).
 *
 * @client mcp-use
 * @packages mcp-use@1.34.6 zod@4.6.7
 *
 * Imports come from `mcp-use/client` and `mcp-use/auth/node`, as the CLI's do (the package root loads its LangChain
 * agent, whose optional peer packages a client host does not need).
 *
 * Followed: the library's own Node host, its CLI's `mcp-use client connect` (mcp-use/mcp-use at tag mcp-use@1.34.6,
 * libraries/typescript/packages/cli/src/utils/oauth.ts `buildOAuthProvider` / `runOAuthFlow` and
 * src/commands/client.ts): add the server with the provider, `createSession`; on `UnauthorizedError` run the flow
 * (`auth()` → `getAuthorizationCode()` → `auth()` with the code) and `createSession` again. The release notes of
 * 1.27 (CHANGELOG.md, "mcp-use/auth/node") describe the provider: it owns the loopback callback listener and opens
 * the browser (here kit's person, through its `openBrowser` option). mcp-use's docs page for the Node client
 * (docs/typescript/client/authentication.mdx at that tag) still says OAuth is browser-only; the CLI is the
 * library's one documented Node OAuth host.
 *
 * Why 1.x: mcp-use 2.x moved the client into `@mcp-use/client`, which the registry does not serve (404); `mcp-use`
 * 2.x itself is a server framework. 1.34.6 is the newest 1.x; it runs on the SDK v1 (`@modelcontextprotocol/sdk`
 * 1.26.0) and on Node 20. zod is its required peer (^4), pinned here so npm does not choose it.
 *
 * Host choices: the provider keeps its store in a fresh temporary folder, removed at close (its default is
 * ~/.mcp-use/oauth, shared between runs), and listens on MATRIX_CALLBACK_PORT when the runner gives one. A failed
 * tool call is reported as the library surfaced it: the CLI re-runs the flow only when a session cannot be
 * created, never for a call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MCPClient } from 'mcp-use/client';
import { auth, NodeOAuthClientProvider, UnauthorizedError } from 'mcp-use/auth/node';
import { matrix, openInBrowser, recordingFetch, runPlan, toolResultText, type Host } from '../kit.ts';

const SERVER = 'story';
const fetchFn = recordingFetch();

/** The provider's token store for this run; it holds tokens, so it goes when the host closes. */
const storeDir = mkdtempSync(join(tmpdir(), 'mcp-use-oauth-'));
const provider = await NodeOAuthClientProvider.create(matrix.serverUrl, {
    clientName: 'mcp-use (client matrix)',
    baseDir: storeDir,
    ...(matrix.callbackPort && { preferredPort: matrix.callbackPort }),
    openBrowser: (url) => openInBrowser(url)
});

/** The CLI's `isUnauthorized`: the SDK's UnauthorizedError, by class or by name, or an error with code 401. */
function isUnauthorized(error: unknown): boolean {
    if (error instanceof UnauthorizedError) return true;
    if (error instanceof Error && error.name === 'UnauthorizedError') return true;
    return error instanceof Error && (error as { code?: unknown }).code === 401;
}

/** The CLI's `runOAuthFlow`: start (unless the transport already did), wait for the loopback callback, redeem. */
async function runOAuthFlow(): Promise<void> {
    if (!provider.hasPendingFlow) {
        const result = await auth(provider, { serverUrl: matrix.serverUrl, fetchFn });
        if (result === 'AUTHORIZED') return;
    }
    const code = await provider.getAuthorizationCode();
    await auth(provider, { serverUrl: matrix.serverUrl, authorizationCode: code, fetchFn });
}

const client = new MCPClient();
client.addServer(SERVER, { url: matrix.serverUrl, authProvider: provider, fetch: fetchFn });
let session: Awaited<ReturnType<MCPClient['createSession']>> | undefined;

const host: Host = {
    async connect() {
        try {
            session = await client.createSession(SERVER);
        } catch (error) {
            if (!isUnauthorized(error)) throw error;
            await runOAuthFlow();
            session = await client.createSession(SERVER);
        }
        const tools = await session.listTools();
        console.error(`tools: ${tools.map((tool) => tool.name).join(', ')}`);
    },
    async callTool(name, args) {
        if (!session) throw new Error('not connected');
        return toolResultText(await session.callTool(name, args));
    },
    async close() {
        provider.dispose();
        await client.closeAllSessions();
        rmSync(storeDir, { recursive: true, force: true });
    }
};

await runPlan(host);
