/**
 * BENCH ONLY — the naive peer demo-rs is measured against (rsPeerRatio).
 *
 *   tsx scripts/bench-rs-naive-peer.ts --port <n> --issuer <AS origin>
 *
 * A resource server written the way the SDK's READMEs and typings show it,
 * on the same SDK packages as demo-rs, with nothing done for speed: the SDK's
 * express app, `requireBearerAuth` with a verifier that runs jose's
 * `jwtVerify` on every call, and `createMcpHandler` with a factory that builds
 * a fresh `McpServer` — the same four tools, their zod input and output
 * schemas written inline, and the same per-tool `requireScopes` — for every
 * request. It serves the same seeded files, so the benchmark can check both
 * answers alike. Not part of the suite: `npm run bench` starts it next to
 * demo-rs and compares the two under the same load (docs/benchmarks.md).
 */
import { createMcpExpressApp, requireBearerAuth } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpServer, createMcpHandler, getOAuthProtectedResourceMetadataUrl, requireScopes, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as z from 'zod';
import { FileStore } from '../demo-rs/file-store.ts';
import { parseCommandLine, parseHttpUrl, parsePort } from '../support/args.ts';
import { announceReady, exitCleanlyOnSignals, listenOnLoopback } from '../support/serve.ts';

const PROGRAM = 'bench-rs-naive-peer';

function verifier(issuer: string, jwksUri: string, audience: string): OAuthTokenVerifier {
    const keys = createRemoteJWKSet(new URL(jwksUri));
    return {
        async verifyAccessToken(token) {
            const { payload } = await jwtVerify(token, keys, { issuer, audience, typ: 'at+jwt' });
            return { token, clientId: String(payload.client_id), scopes: String(payload.scope ?? '').split(' '), expiresAt: payload.exp, resource: new URL(audience) };
        }
    };
}

function fileServer(store: FileStore): McpServer {
    const server = new McpServer({ name: 'naive-peer', version: '0.1.0' });
    const name = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    const text = (value: string) => [{ type: 'text' as const, text: value }];
    server.registerTool(
        'list-files',
        { description: 'Lists the files. Requires scope files:read.', scopeChallenge: requireScopes('files:read'), outputSchema: z.object({ files: z.array(z.object({ name: z.string(), bytes: z.number().int() })) }) },
        async () => ({ content: text(store.list().map((file) => file.name).join('\n')), structuredContent: { files: store.list() } })
    );
    server.registerTool(
        'read-file',
        { description: 'Reads a file. Requires scope files:read.', scopeChallenge: requireScopes('files:read'), inputSchema: z.object({ name }), outputSchema: z.object({ name: z.string(), content: z.string() }) },
        async (args) => ({ content: text(store.read(args.name) ?? ''), structuredContent: { name: args.name, content: store.read(args.name) ?? '' } })
    );
    server.registerTool(
        'write-file',
        {
            description: 'Writes a file. Requires scope files:write.',
            scopeChallenge: requireScopes('files:write'),
            inputSchema: z.object({ name, content: z.string().max(16 * 1024) }),
            outputSchema: z.object({ name: z.string(), bytes: z.number().int(), created: z.boolean() })
        },
        async (args) => {
            const created = store.write(args.name, args.content)?.created ?? false;
            return { content: text('written'), structuredContent: { name: args.name, bytes: Buffer.byteLength(args.content), created } };
        }
    );
    server.registerTool(
        'purge-files',
        { description: 'Deletes every file. Requires scope files:admin.', scopeChallenge: requireScopes('files:admin'), outputSchema: z.object({ removed: z.number().int() }) },
        async () => ({ content: text('purged'), structuredContent: { removed: store.purge() } })
    );
    return server;
}

const { values } = parseCommandLine(PROGRAM, { port: { type: 'string' }, issuer: { type: 'string' } });
const issuer = parseHttpUrl(PROGRAM, '--issuer', values.issuer).origin;
const { jwks_uri: jwksUri } = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as { jwks_uri: string };
const store = new FileStore();
let app: ReturnType<typeof createMcpExpressApp> | undefined;
const { server, origin } = await listenOnLoopback((req, res) => app?.(req, res), parsePort(PROGRAM, values.port, 0));
const resource = `${origin}/mcp`;
app = createMcpExpressApp();
const auth = requireBearerAuth({ verifier: verifier(issuer, jwksUri, resource), resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(new URL(resource)) });
const mcp = toNodeHandler(createMcpHandler(() => fileServer(store)));
app.post('/mcp', auth, (req, res) => mcp(req, res, req.body));
exitCleanlyOnSignals(server);
announceReady(origin);
