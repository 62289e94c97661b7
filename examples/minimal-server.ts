/**
 * The smallest correct MCP server with per-tool scopes — a file to copy.
 *
 *   npx tsx examples/minimal-server.ts --port 0 --issuer <authorization server URL>
 *
 * One resource server on 127.0.0.1 with three tools, each needing its own scope:
 * `list-files` files:read, `write-file` files:write, `purge-files` files:admin.
 * What makes it correct, each done by the SDK or jose:
 *   - a call without a valid token gets `401` with `WWW-Authenticate: Bearer
 *     resource_metadata="…", scope="files:read"` (`requireBearerAuth`), and the
 *     RFC 9728 metadata it points at names the authorization server (`mcpAuthMetadataRouter`);
 *   - a token is a JWT checked with jose against the AS's published keys: signature
 *     (asymmetric algorithms only), `iss` = the issuer exactly, `aud` = this server's
 *     resource URL, `typ: at+jwt` (RFC 9068), `exp`;
 *   - a tool whose scope the token lacks gets `403 insufficient_scope` naming that
 *     scope (`scopeChallenge: requireScopes(…)`), the challenge a client steps up from.
 *
 * DEMO ONLY — the files live in memory. What demo-rs adds on top, and why
 * (docs/build-your-own.md): DPoP-bound tokens (RFC 9449), CORS for browser
 * clients, the `Mcp-Name`/`Mcp-Method` header checks, one credential per request,
 * a cache of verified tokens, a 503 when the AS is unreachable, a request log.
 */
import { parseArgs } from 'node:util';
import { createMcpExpressApp, getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter, requireBearerAuth } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer, OAuthError, OAuthErrorCode, requireScopes, type OAuthMetadata, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as z from 'zod';

/** The flags, each with its line of `--help`; a bad one is one line and exit 2, `--help` the usage and exit 0. */
const FLAGS = {
    issuer: { type: 'string', value: '<url>', usage: "the authorization server's issuer, exactly as it names itself (required)" },
    port: { type: 'string', default: '3001', value: '<n>', usage: 'port on 127.0.0.1; 0 picks a free one' },
    help: { type: 'boolean', short: 'h', usage: 'print this text and exit' }
} as const;
const USAGE = [
    'usage: minimal-server --issuer <url> [--port <n>]',
    ...Object.entries(FLAGS).map(([name, flag]) => {
        const form = `--${name}${'value' in flag ? ` ${flag.value}` : ''}`;
        return `  ${form.padEnd(14)}  ${flag.usage}${flag.type === 'string' && 'default' in flag ? ` (default ${flag.default})` : ''}`;
    })
].join('\n');
function commandLine() {
    try {
        const { values } = parseArgs({ options: FLAGS });
        if (values.help) (console.log(USAGE), process.exit(0));
        if (!values.issuer || !URL.canParse(values.issuer)) throw new Error('--issuer <url> is required: the authorization server\'s issuer');
        if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw new Error('--port must be an integer from 0 to 65535');
        // RFC 8414 §3.3: the issuer is compared exactly as the AS names itself, so keep the string as given.
        return { issuer: values.issuer, port: Number(values.port) };
    } catch (error) {
        console.error(`minimal-server: ${(error as Error).message.replace(/\. To specify .*/s, '')} (see --help)`);
        process.exit(2);
    }
}
const { issuer, port } = commandLine();

/** RFC 8414 §3.1: the AS's metadata, at the well-known path inserted before the issuer's own path. */
async function authorizationServerMetadata(): Promise<{ metadata: OAuthMetadata; jwksUri: string }> {
    const { origin, pathname } = new URL(issuer);
    const response = await fetch(new URL(`/.well-known/oauth-authorization-server${pathname.replace(/\/$/, '')}`, origin));
    if (!response.ok) throw new Error(`no authorization server metadata for ${issuer} (HTTP ${response.status})`);
    const metadata = (await response.json()) as OAuthMetadata;
    if (metadata.issuer !== issuer) throw new Error(`the metadata names issuer ${metadata.issuer}, not ${issuer}`); // RFC 8414 §3.3
    if (typeof metadata.jwks_uri !== 'string') throw new Error(`the metadata of ${issuer} has no jwks_uri`);
    return { metadata, jwksUri: metadata.jwks_uri };
}

/** Verifies a JWT access token (RFC 9068) and tells the SDK what it grants. */
function jwtVerifier(jwksUri: string, resource: string): OAuthTokenVerifier {
    const keys = createRemoteJWKSet(new URL(jwksUri));
    return {
        async verifyAccessToken(token) {
            try {
                const { payload } = await jwtVerify(token, keys, {
                    issuer,
                    audience: resource, // RFC 8707 / RFC 9068 §4: a token for another resource is refused
                    typ: 'at+jwt', // RFC 9068 §2.1: an ID token or another JWT is not an access token
                    algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA', 'Ed25519'] // RFC 8725 §3.1: never none or HMAC
                });
                const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
                return { token, clientId: String(payload.client_id ?? payload.sub ?? ''), scopes, expiresAt: payload.exp, resource: new URL(resource) };
            } catch {
                // A fixed sentence: nothing from the token is echoed back (RFC 6750 §3.1 invalid_token).
                throw new OAuthError(OAuthErrorCode.InvalidToken, 'The access token is not valid for this server.');
            }
        }
    };
}

/** The tools. `scopeChallenge` is the SDK's per-tool scope: a call without it gets 403 insufficient_scope. */
function fileServer(files: Map<string, string>): McpServer {
    const server = new McpServer({ name: 'minimal-scoped-server', version: '0.1.0' });
    const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
    server.registerTool('list-files', { description: 'Lists the files. Requires scope files:read.', scopeChallenge: requireScopes('files:read') }, async () =>
        text([...files.keys()].join('\n') || '(no files)')
    );
    server.registerTool(
        'write-file',
        {
            description: 'Creates or replaces one file. Requires scope files:write.',
            scopeChallenge: requireScopes('files:write'),
            inputSchema: z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), content: z.string().max(16 * 1024) })
        },
        async ({ name, content }) => {
            files.set(name, content);
            return text(`Wrote ${name} (${Buffer.byteLength(content)} bytes).`);
        }
    );
    server.registerTool('purge-files', { description: 'Deletes every file. Requires scope files:admin.', scopeChallenge: requireScopes('files:admin') }, async () => {
        const removed = files.size;
        files.clear();
        return text(`Removed ${removed} files.`);
    });
    return server;
}

const { metadata, jwksUri } = await authorizationServerMetadata().catch((error: Error) => {
    console.error(`minimal-server: ${error.message}`);
    process.exit(1);
});
// The host defaults to 127.0.0.1, and the app then validates the Host header (DNS rebinding).
const app = createMcpExpressApp();
const files = new Map([['notes.txt', 'Per-tool scopes: each tool asks for only what it needs.']]);
const mcp = toNodeHandler(createMcpHandler(() => fileServer(files)));
const server = app.listen(port, '127.0.0.1', () => {
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const resource = `${origin}/mcp`;
    // RFC 9728: /.well-known/oauth-protected-resource/mcp names this resource, its scopes and its AS.
    app.use(mcpAuthMetadataRouter({ oauthMetadata: metadata, resourceServerUrl: new URL(resource), scopesSupported: ['files:read', 'files:write', 'files:admin'] }));
    const auth = requireBearerAuth({
        verifier: jwtVerifier(jwksUri, resource),
        requiredScopes: ['files:read'], // every call needs the least scope; the 401 names it, so a client asks for no more
        resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(new URL(resource))
    });
    app.post('/mcp', auth, (req, res) => mcp(req, res, req.body));
    console.log(`listening on ${origin}`);
});
server.on('error', (error) => {
    console.error(`minimal-server: ${error.message}`);
    process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)).closeAllConnections());
