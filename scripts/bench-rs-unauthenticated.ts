/**
 * BENCH ONLY — NEVER SHIPPED, NEVER A FLAG OF THE REAL RS.
 *
 *   tsx scripts/bench-rs-unauthenticated.ts --port <n>
 *
 * The resource server's `/mcp` route built from demo-rs's own modules
 * (Host/Origin validation, then demo-rs/mcp-route.ts: JSON body, call log,
 * batch and Mcp-Name checks, the SDK's MCP handler with the scoped tools),
 * minus one piece: the JWT bearer gate. In its place every request
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
import { finalErrorHandler, methodNotAllowed, notFound } from '../demo-rs/errors.ts';
import { MCP_PATH, mcpRouteAfterAuthentication } from '../demo-rs/mcp-route.ts';
import { SCOPES_SUPPORTED } from '../demo-rs/scopes.ts';

const PROGRAM = 'bench-rs-unauthenticated';

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
    app.post(MCP_PATH, authenticate, ...mcpRouteAfterAuthentication());
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
