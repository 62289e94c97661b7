/**
 * `npm run demo -- --as sdk-router`: the story with examples/sdk-router-as.ts —
 * an authorization server on the SDK's own `mcpAuthRouter` — in demo-as's place.
 *
 * The router mounts at the root, so its issuer is the origin with a trailing
 * `/`; demo-rs is given that exact string (RFC 8414 §3.3 compares issuers
 * exactly). The router's token endpoint hands its provider no request headers,
 * so no DPoP proof can reach it: the client runs with `--no-dpop` and the demo
 * says why.
 */
import { LOOPBACK_HOST, freeLoopbackPort } from '../support/serve.ts';
import { startServer, type RunningServer } from '../support/spawn.ts';

export const SDK_ROUTER_NOTE = 'the SDK router passes its provider no DPoP proof, so the client runs with --no-dpop (Bearer tokens)';

/** The client's arguments against the SDK router: Bearer tokens, unless the user already chose. */
export function sdkRouterClientArgs(rest: string[]): string[] {
    return rest.includes('--no-dpop') ? rest : ['--no-dpop', ...rest];
}

/** Starts the SDK-router AS (tokens for the RS's /mcp only) and demo-rs trusting its issuer as the router names it. */
export async function startSdkRouter(started: RunningServer[], env: NodeJS.ProcessEnv): Promise<{ issuer: string; rs: RunningServer }> {
    const rsPort = await freeLoopbackPort();
    const as = await startServer('examples/sdk-router-as.ts', ['--port', '0', '--resource', `http://${LOOPBACK_HOST}:${rsPort}/mcp`], { env });
    started.push(as);
    const issuer = `${as.origin}/`;
    const rs = await startServer('demo-rs/main.ts', ['--port', String(rsPort), '--issuer', issuer], { env });
    started.push(rs);
    return { issuer, rs };
}
