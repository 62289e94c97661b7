/**
 * oidc-provider, pinned, fetched on demand — never a dependency of the project.
 *
 * `npx` installs the package and the Node it wants (oidc-provider 9 supports
 * Node 22 and later; this project runs on 20) into npx's own cache, outside
 * the repository, once; later runs reuse it. Only real-as/oidc-provider.ts
 * runs on that Node; the RS and the client it serves keep the project's Node.
 * This mirrors how conformance/suite-cli.ts fetches the conformance suite.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, startServer, type RunningServer } from '../support/spawn.ts';

export const PROVIDER_PACKAGE = 'oidc-provider@9.13.3';
const PROVIDER_NODE_PACKAGE = 'node@26';

export interface ProviderInstall {
    /** The Node binary that runs the provider. */
    node: string;
    /** oidc-provider's entry module (its lib/index.js). */
    module: string;
    nodeVersion: string;
}

/** Installs (or finds in npx's cache) oidc-provider and Node 26; a failure says what could not be fetched. */
export async function locateProvider(): Promise<ProviderInstall> {
    const probe = 'command -v node && node --version';
    let stdout: string;
    try {
        ({ stdout } = await promisify(execFile)('npx', ['--yes', '-p', PROVIDER_NODE_PACKAGE, '-p', PROVIDER_PACKAGE, '-c', probe], { cwd: PROJECT_ROOT, timeout: 300_000 }));
    } catch (error) {
        throw new Error(`could not fetch ${PROVIDER_PACKAGE} and ${PROVIDER_NODE_PACKAGE} with npx (${(error as Error).message.split('\n')[0]})`);
    }
    const [node, nodeVersion] = stdout.trim().split('\n').map((line) => line.trim());
    if (!node || !nodeVersion?.startsWith('v26.')) throw new Error(`npx did not provide Node 26 for ${PROVIDER_PACKAGE} (got ${nodeVersion ?? 'nothing'})`);
    // npx puts both packages in one node_modules; node is linked from its .bin.
    const module = join(dirname(dirname(node)), 'oidc-provider', 'lib', 'index.js');
    return { node, module, nodeVersion };
}

export interface ProviderOptions {
    /** The RS's resource URL: the only resource it issues tokens for (their `aud`). */
    resource: string;
    /** e.g. `/oidc`: an issuer with a path. */
    issuerPath?: string;
    signingAlg?: 'ES256' | 'EdDSA' | 'PS256';
    /** Clients an administrator registered, with redirect URI http://127.0.0.1:<port>/callback. */
    staticClients?: { port: number; publicId?: string; confidential?: { id: string; secret: string } };
}

export interface RunningProvider extends RunningServer {
    issuer: string;
}

/** Starts real-as/oidc-provider.ts on the fetched Node, on a free loopback port; resolves once it is listening. */
export async function startProvider(install: ProviderInstall, options: ProviderOptions): Promise<RunningProvider> {
    const args = ['--module', install.module, '--resource', options.resource, '--port', '0', '--issuer-path', options.issuerPath ?? '', '--signing-alg', options.signingAlg ?? 'ES256'];
    const clients = options.staticClients;
    if (clients) args.push('--static-client-port', String(clients.port));
    if (clients?.publicId) args.push('--static-client', clients.publicId);
    if (clients?.confidential) args.push('--static-confidential-client', clients.confidential.id);
    // The secret goes by the environment, never the command line (which every user on the machine can read).
    const env = clients?.confidential ? { STATIC_CLIENT_SECRET: clients.confidential.secret } : undefined;
    const server = await startServer('real-as/oidc-provider.ts', args, { node: install.node, readyTimeoutMs: 30_000, env });
    return Object.assign(server, { issuer: `${server.origin}${options.issuerPath ?? ''}` });
}
