/**
 * BENCH ONLY — NEVER SHIPPED, NEVER A FLAG OF THE REAL RS.
 *
 *   tsx scripts/bench-rs-unauthenticated.ts --port <n>
 *
 * The resource server's `/mcp` route assembled from demo-rs's own modules in
 * the order demo-rs/main.ts uses them (Host/Origin validation, JSON body,
 * call log, batch and Mcp-Name checks, the SDK's MCP handler with the scoped
 * tools), minus one piece: the JWT bearer gate. In its place every request
 * is treated as carrying a verified token that holds every scope. The
 * benchmark runs the same load against this and against the real RS; the
 * ratio of the two throughputs is what JWT verification costs
 * (docs/benchmarks.md, rsAuthRatio). It accepts any request at all, so it
 * exists only inside `npm run bench`, bound to 127.0.0.1.
 */
import express, { type RequestHandler } from 'express';
import { localhostHostValidation, localhostOriginValidation } from '@modelcontextprotocol/express';
import { parseCommandLine, parsePort } from '../support/args.ts';
import { announceReady, exitCleanlyOnSignals, listenOnLoopback } from '../support/serve.ts';
import { logToolCalls } from '../demo-rs/call-log.ts';
import { finalErrorHandler, methodNotAllowed, notFound } from '../demo-rs/errors.ts';
import { FileStore } from '../demo-rs/file-store.ts';
import { rejectMcpNameMismatch } from '../demo-rs/mcp-name-check.ts';
import { mcpEndpoint } from '../demo-rs/mcp-endpoint.ts';
import { rejectBatches, requireJsonBody } from '../demo-rs/mcp-request.ts';
import { SCOPES_SUPPORTED } from '../demo-rs/scopes.ts';

const PROGRAM = 'bench-rs-unauthenticated';
const MCP_PATH = '/mcp';
/** demo-rs/main.ts BODY_LIMIT. */
const BODY_LIMIT = '64kb';

/** Stands where demo-rs verifies the JWT: the AuthInfo a token holding every scope would produce. */
function assumeAuthenticated(resource: URL): RequestHandler {
    return (req, _res, next) => {
        req.auth = { token: 'bench', clientId: 'bench-unauthenticated', scopes: SCOPES_SUPPORTED, resource };
        next();
    };
}

function unauthenticatedResourceServer(origin: string): express.Express {
    const resource = new URL(MCP_PATH, origin);
    const authenticate = assumeAuthenticated(resource);
    const app = express();
    app.disable('x-powered-by');
    app.use(localhostHostValidation(), localhostOriginValidation());
    app.post(
        MCP_PATH,
        authenticate,
        requireJsonBody,
        express.json({ limit: BODY_LIMIT }),
        logToolCalls,
        rejectBatches,
        rejectMcpNameMismatch,
        mcpEndpoint(new FileStore())
    );
    app.all(MCP_PATH, authenticate, methodNotAllowed('POST'));
    app.use(notFound);
    app.use(finalErrorHandler);
    return app;
}

const { values } = parseCommandLine(PROGRAM, { port: { type: 'string' } });
let app: express.Express | undefined;
const { server, origin } = await listenOnLoopback((req, res) => app?.(req, res), parsePort(PROGRAM, values.port, 0));
app = unauthenticatedResourceServer(origin);
exitCleanlyOnSignals(server);
announceReady(origin);
