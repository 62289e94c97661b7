/**
 * `npm run demo -- --as oidc-provider`: the story with panva's oidc-provider
 * (real-as/) in demo-as's place. The provider is fetched on first use (npx's
 * cache, outside the repository; it takes a minute once). Its sign-in and
 * consent pages need a person, so the client runs `--interactive` unless told
 * otherwise and opens the user's own browser; without one, `--headless` stops
 * with a line saying so.
 *
 * `--as better-auth`: the same with better-auth's MCP plugin (real-as/better-auth.ts);
 * the demo prints the demo user's email and password to sign in with.
 */
import { usageError } from '../support/args.ts';
import type { RunningServer } from '../support/spawn.ts';
import { locateProvider, PROVIDER_PACKAGE } from '../real-as/provider-package.ts';
import { startProviderStack, startStackWith } from '../real-as/provider-stack.ts';
import { BETTER_AUTH_PACKAGE, DEMO_USER, locateBetterAuth, startBetterAuth } from '../real-as/better-auth-package.ts';
import { sdkRouterClientArgs } from './demo-sdk-router.ts';

export const AUTHORIZATION_SERVERS = ['demo-as', 'oidc-provider', 'better-auth', 'sdk-router'] as const;
export type AuthorizationServerChoice = (typeof AUTHORIZATION_SERVERS)[number];

/** Takes `--as <name>` (or `--as=<name>`) out of the demo's arguments; the rest go to the client. */
export function takeAsFlag(argv: string[]): { as: AuthorizationServerChoice; rest: string[] } {
    const rest: string[] = [];
    let as: string = 'demo-as';
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === '--as') as = argv[++i] ?? '';
        else if (arg.startsWith('--as=')) as = arg.slice('--as='.length);
        else rest.push(arg);
    }
    if (!(AUTHORIZATION_SERVERS as readonly string[]).includes(as)) usageError('demo', `--as must be one of ${AUTHORIZATION_SERVERS.join(', ')}`);
    return { as: as as AuthorizationServerChoice, rest };
}

/** The servers whose sign-in page only a person can answer. */
const SIGN_IN_BY_A_PERSON: ReadonlySet<AuthorizationServerChoice> = new Set(['oidc-provider', 'better-auth']);

/** The client's arguments: against a real AS `--interactive`, unless the user chose how consent is given; against the SDK router `--no-dpop`. */
export function clientArgsFor(as: AuthorizationServerChoice, rest: string[]): string[] {
    if (as === 'sdk-router') return sdkRouterClientArgs(rest);
    const chosen = rest.some((arg) => arg === '--headless' || arg === '--interactive');
    return SIGN_IN_BY_A_PERSON.has(as) && !chosen ? ['--interactive', ...rest] : rest;
}

/** Starts oidc-provider and demo-rs trusting it. */
export async function startOidcProvider(started: Array<{ stop(): Promise<unknown> }>, print: (line: string) => void): Promise<{ issuer: string; rs: RunningServer }> {
    print(`${PROVIDER_PACKAGE} from npx's cache (fetched on first use) …`);
    const stack = await startProviderStack(await locateProvider());
    started.push(stack);
    return { issuer: stack.provider.issuer, rs: stack.rs };
}

/** Starts better-auth and demo-rs trusting it; says which user to sign in as. */
export async function startBetterAuthServer(started: Array<{ stop(): Promise<unknown> }>, print: (line: string) => void): Promise<{ issuer: string; rs: RunningServer }> {
    print(`${BETTER_AUTH_PACKAGE} from npx's cache (fetched on first use) …`);
    const install = await locateBetterAuth();
    const stack = await startStackWith((resource) => startBetterAuth(install, resource));
    started.push(stack);
    print(`sign in as ${DEMO_USER.email} with the password ${DEMO_USER.password} (a demo user made at start)`);
    return { issuer: stack.provider.issuer, rs: stack.rs };
}
