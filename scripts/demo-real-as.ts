/**
 * `npm run demo -- --as oidc-provider`: the story with panva's oidc-provider
 * (real-as/) in demo-as's place. The provider is fetched on first use (npx's
 * cache, outside the repository; it takes a minute once). Its sign-in and
 * consent pages need a person, so the client runs `--interactive` unless told
 * otherwise and opens the user's own browser; without one, `--headless` stops
 * with a line saying so.
 */
import { usageError } from '../support/args.ts';
import type { RunningServer } from '../support/spawn.ts';
import { locateProvider, PROVIDER_PACKAGE } from '../real-as/provider-package.ts';
import { startProviderStack } from '../real-as/provider-stack.ts';
import { sdkRouterClientArgs } from './demo-sdk-router.ts';

export const AUTHORIZATION_SERVERS = ['demo-as', 'oidc-provider', 'sdk-router'] as const;
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

/** The client's arguments: against oidc-provider `--interactive`, unless the user chose how consent is given; against the SDK router `--no-dpop`. */
export function clientArgsFor(as: AuthorizationServerChoice, rest: string[]): string[] {
    if (as === 'sdk-router') return sdkRouterClientArgs(rest);
    const chosen = rest.some((arg) => arg === '--headless' || arg === '--interactive');
    return as === 'oidc-provider' && !chosen ? ['--interactive', ...rest] : rest;
}

/** Starts oidc-provider and demo-rs trusting it. */
export async function startOidcProvider(started: Array<{ stop(): Promise<unknown> }>, print: (line: string) => void): Promise<{ issuer: string; rs: RunningServer }> {
    print(`${PROVIDER_PACKAGE} from npx's cache (fetched on first use) …`);
    const stack = await startProviderStack(await locateProvider());
    started.push(stack);
    return { issuer: stack.provider.issuer, rs: stack.rs };
}
