/**
 * A real authorization server in demo-as's place: the AS and demo-rs trusting
 * it, on free loopback ports. The RS's port is picked first because each names
 * the other on its command line (the AS issues tokens only for the RS's
 * resource URL; the RS trusts only the AS's issuer, exactly as the AS names
 * itself). Used by the e2e tests and by `npm run demo -- --as <name>`.
 */
import { startServer, type RunningServer } from '../support/spawn.ts';
import { freeLoopbackPort, LOOPBACK_HOST } from '../support/serve.ts';
import { startProvider, type ProviderInstall, type ProviderOptions, type RunningProvider } from './provider-package.ts';

export interface ProviderStack {
    provider: RunningProvider;
    rs: RunningServer;
    /** The RS's MCP endpoint, which is also its resource URL. */
    mcpUrl: string;
    stop(): Promise<void>;
}

/** Starts the AS that `startAs` starts for the RS's resource URL, then demo-rs trusting its issuer. */
export async function startStackWith(startAs: (resource: string) => Promise<RunningProvider>): Promise<ProviderStack> {
    const rsPort = await freeLoopbackPort();
    const mcpUrl = `http://${LOOPBACK_HOST}:${rsPort}/mcp`;
    const provider = await startAs(mcpUrl);
    let rs: RunningServer;
    try {
        // 30 s, like the provider's: the two start together with a browser on a busy machine.
        rs = await startServer('demo-rs/main.ts', ['--port', String(rsPort), '--issuer', provider.issuer], { readyTimeoutMs: 30_000 });
    } catch (error) {
        await provider.stop();
        throw error;
    }
    return {
        provider,
        rs,
        mcpUrl,
        stop: async () => {
            await Promise.all([rs.stop(), provider.stop()]);
        }
    };
}

/** oidc-provider and demo-rs trusting it. */
export function startProviderStack(install: ProviderInstall, options: Omit<ProviderOptions, 'resource'> = {}): Promise<ProviderStack> {
    return startStackWith((resource) => startProvider(install, { ...options, resource }));
}
