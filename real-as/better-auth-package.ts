/**
 * better-auth and its MCP plugin, pinned, fetched on demand — never
 * dependencies of the project.
 *
 * `npx` installs the packages into its own cache, outside the repository, once;
 * later runs reuse it. Every package of the set is pinned, peers included:
 * better-auth's packages pin exact peer versions of each other (better-call
 * among them), so an unpinned peer resolves to a newer release and the install
 * fails. better-auth runs on the project's Node; real-as/better-auth.ts imports
 * it from the directory npx installed it in.
 */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, startServer } from '../support/spawn.ts';
import type { RunningProvider } from './provider-package.ts';

export const BETTER_AUTH_VERSION = '1.7.5';
export const BETTER_AUTH_PACKAGE = `better-auth@${BETTER_AUTH_VERSION} with @better-auth/mcp@${BETTER_AUTH_VERSION}`;
const PINNED_PACKAGES = [
    `better-auth@${BETTER_AUTH_VERSION}`,
    `@better-auth/mcp@${BETTER_AUTH_VERSION}`,
    `@better-auth/oauth-provider@${BETTER_AUTH_VERSION}`,
    `@better-auth/core@${BETTER_AUTH_VERSION}`,
    'better-call@1.4.0'
];

/** better-auth's own base path, under which it serves its API and names its issuer. */
export const BETTER_AUTH_BASE_PATH = '/api/auth';

/** The person the e2e test (or you, in the demo) signs in as; real-as/better-auth.ts creates this user at start. */
export const DEMO_USER = { email: 'demo@example.com', password: 'demo-password', name: 'Demo User' };

export interface BetterAuthInstall {
    /** The node_modules directory npx installed the packages in. */
    modules: string;
}

/** Installs (or finds in npx's cache) the pinned packages; a failure says what could not be fetched. */
export async function locateBetterAuth(): Promise<BetterAuthInstall> {
    // npx puts the packages' .bin on PATH; its parent is their node_modules.
    const probe = `printf '%s\\n' "$PATH" | tr ':' '\\n' | grep -m1 '/_npx/'`;
    const packages = PINNED_PACKAGES.flatMap((pkg) => ['-p', pkg]);
    let stdout: string;
    try {
        ({ stdout } = await promisify(execFile)('npx', ['--yes', ...packages, '-c', probe], { cwd: PROJECT_ROOT, timeout: 300_000 }));
    } catch (error) {
        throw new Error(`could not fetch ${BETTER_AUTH_PACKAGE} with npx (${(error as Error).message.split('\n')[0]})`);
    }
    const bin = stdout.trim();
    if (!bin.endsWith('/node_modules/.bin')) throw new Error(`npx did not say where it installed ${BETTER_AUTH_PACKAGE}`);
    return { modules: dirname(bin) };
}

/** Starts real-as/better-auth.ts on a free loopback port for the RS at `resource`; resolves once it is listening. */
export async function startBetterAuth(install: BetterAuthInstall, resource: string): Promise<RunningProvider> {
    const server = await startServer('real-as/better-auth.ts', ['--modules', install.modules, '--resource', resource, '--port', '0'], { readyTimeoutMs: 30_000 });
    return Object.assign(server, { issuer: `${server.origin}${BETTER_AUTH_BASE_PATH}` });
}
