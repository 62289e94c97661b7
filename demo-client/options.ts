/**
 * The client's command line: one command, its arguments and the flags that
 * shape how authorization happens (who plays the user, where tokens live, how
 * far step-up may go). `--help` is generated from the flag table below
 * (support/usage.ts); bad input ends the process with one line and exit 2.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { VersionNegotiationOptions } from '@modelcontextprotocol/client';
import { parseCount, parseHttpUrl, usageError } from '../support/args.ts';
import { defineCommandLine, parseCommandLineOrHelp, type FlagTable } from '../support/usage.ts';
import { hasDisplay } from './display.ts';
import { CLIENT_SECRET_VARIABLE, type PreRegisteredClient } from './pre-registered-client.ts';

export const PROGRAM = 'demo-client';


/** The conformance suite's entry (conformance.ts): the suite appends the URL; it takes no flags but --help. */
export const CONFORMANCE_COMMAND_LINE = defineCommandLine({
    program: 'conformance-client',
    synopsis: 'npm run -s conformance:client -- <server-url>',
    preamble:
        "The demo client's entry for the official MCP conformance suite (npm run conformance starts it): it authorizes " +
        'against the server at <server-url> from an empty token store, lists its tools and calls each one.',
    flags: {}
});

export type Command = 'story' | 'tools' | 'call' | 'logout';

export interface ClientOptions {
    command: Command;
    /** `call`: the tool name and its `k=v` arguments. */
    tool?: string;
    toolArguments: Record<string, string>;
    server?: URL;
    /** `--server -`: the URL comes on stdin (server-from-stdin.ts). */
    serverFromStdin: boolean;
    headless: boolean;
    /** The store path the user asked for, or undefined for the command's default. */
    store?: string;
    maxStepUps: number;
    stepUp: boolean;
    /** DPoP-bound tokens (RFC 9449); false with --no-dpop. */
    dpop: boolean;
    /** --refresh: renew the access token with the refresh token before the command. */
    refresh: boolean;
    /** --protocol: the SDK's era negotiation; undefined leaves the SDK's default (legacy). */
    versionNegotiation?: VersionNegotiationOptions;
    authTimeoutMs: number;
    openBrowser: boolean;
    /** --trace: where to write the run's sequence diagram. */
    trace?: string;
    /** --client-id, with its secret from DEMO_CLIENT_SECRET: no dynamic registration. */
    preRegisteredClient?: PreRegisteredClient;
    /** --callback-port: the one port the callback listener may use. */
    callbackPort?: number;
}

/** The flags of every command; `npm run demo` passes the same ones (but --server) to `story`. */
export const CLIENT_FLAGS = {
    server: {
        type: 'string',
        value: '<url>',
        description: "the resource server's MCP endpoint, e.g. http://127.0.0.1:3001/mcp (`-`: read it from the first line of standard input)"
    },
    headless: { type: 'boolean', description: 'approve the consent page without a person', shownDefault: 'when CI is set or there is no display' },
    interactive: { type: 'boolean', description: 'a person approves the consent page in a browser', shownDefault: 'when there is a display' },
    store: {
        type: 'string',
        value: '<path>',
        description: 'token store file; `story` uses a fresh temporary store unless --store is given',
        shownDefault: '$XDG_STATE_HOME/scoped-tools-story/client.json'
    },
    'max-step-up-retries': { type: 'string', value: '<n>', description: 'step-ups one call may cause; 0 turns step-up off', shownDefault: '1' },
    'step-up': { type: 'boolean', default: true, description: 'never step up: a 403 insufficient_scope ends the call with its details' },
    refresh: {
        type: 'boolean',
        default: false,
        description: 'tools, call: first renew the access token with the stored refresh token (RFC 6749 §6), whether or not it has expired'
    },
    dpop: { type: 'boolean', default: true, description: 'ask for Bearer tokens instead of DPoP-bound ones (RFC 9449), to compare' },
    protocol: {
        type: 'string',
        value: '<era>',
        description: 'legacy (2025-11-25 initialize), auto (try server/discover first) or 2026-07-28 (that revision only)',
        shownDefault: 'legacy'
    },
    'auth-timeout': { type: 'string', value: '<seconds>', description: 'how long to wait for the authorization callback', shownDefault: '300' },
    open: { type: 'boolean', default: true, description: 'interactive: print the consent URL but do not launch a browser' },
    trace: { type: 'string', value: '<file>', description: 'write every HTTP exchange of the run to <file>: a Markdown sequence diagram, secrets as labels' },
    'client-id': {
        type: 'string',
        value: '<id>',
        description: `use a client the administrator registered instead of registering one (RFC 7591); public unless the environment variable ${CLIENT_SECRET_VARIABLE} holds its secret`
    },
    'client-issuer': {
        type: 'string',
        value: '<issuer>',
        description: 'with --client-id: the issuer the client is registered at, exactly; the client (and its secret) is used with no other authorization server'
    },
    'callback-port': {
        type: 'string',
        value: '<n>',
        description: 'listen for the authorization response on 127.0.0.1:<n> only, so the registered redirect URI http://127.0.0.1:<n>/callback matches',
        shownDefault: 'a free port'
    }
} as const satisfies FlagTable;

export const COMMAND_LINE = defineCommandLine({
    program: PROGRAM,
    synopsis: 'demo-client <command> --server <RS /mcp url> [flags]',
    preamble: `commands:
  story                 the scripted scoped-tools story, step by step
  tools                 list the server's tools
  call <tool> [k=v …]   call one tool with string arguments
  logout                revoke the stored refresh tokens, then delete the token store`,
    flags: CLIENT_FLAGS
});

const COMMANDS: readonly Command[] = ['story', 'tools', 'call', 'logout'];

/** The default store: under $XDG_STATE_HOME (or ~/.local/state), outside any repository. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
    const stateHome = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
    return join(stateHome, 'scoped-tools-story', 'client.json');
}

/** Headless when asked, or when CI is set or no display is reachable; `--interactive` overrides. */
export function chooseHeadless(flags: { headless?: boolean; interactive?: boolean }, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
    if (flags.headless) return true;
    if (flags.interactive) return false;
    if (env.CI) return true;
    return !hasDisplay(env, platform);
}

/** `--protocol` values and the SDK's negotiation each one means. */
const PROTOCOLS: Record<string, VersionNegotiationOptions> = {
    legacy: { mode: 'legacy' },
    auto: { mode: 'auto' },
    '2026-07-28': { mode: { pin: '2026-07-28' } }
};

export function parseProtocol(value: string | undefined, program = PROGRAM): VersionNegotiationOptions | undefined {
    if (value === undefined) return undefined;
    if (!Object.hasOwn(PROTOCOLS, value)) usageError(program, `--protocol must be one of ${Object.keys(PROTOCOLS).join(', ')}`);
    return PROTOCOLS[value];
}

/**
 * `--server`: an absolute http(s) URL without a user name or password. The client authorizes with
 * OAuth, fetch refuses a URL with credentials in it, and they would only end up on screen; the
 * refusal does not repeat the URL. A query is allowed (and shown with its values hidden).
 */
export function parseServerUrl(flag: string, raw: string | undefined): URL {
    const url = parseHttpUrl(PROGRAM, flag, raw);
    if (url.username !== '' || url.password !== '') usageError(PROGRAM, `${flag} must not carry a user name or password (user:pass@); the client authorizes with OAuth`);
    return url;
}

/** `--callback-port`: a port the user names (1–65535); 0 would be any port, which is the default already. */
export function parseCallbackPort(raw: string | undefined): number | undefined {
    if (raw === undefined) return undefined;
    const port = Number(raw);
    if (!/^\d{1,5}$/.test(raw) || port < 1 || port > 65535) usageError(PROGRAM, '--callback-port must be an integer from 1 to 65535');
    return port;
}

/**
 * `--client-id`, its `--client-issuer` and the secret from DEMO_CLIENT_SECRET (an empty one is none). A client_id is
 * printable ASCII (RFC 6749 Appendix A.1). A secret without a client it belongs to is refused, so
 * it is never sent for a client the client registered itself. The secret is never part of a message,
 * and leaves the environment here, so no process the client starts inherits it.
 */
export function parsePreRegisteredClient(raw: string | undefined, issuer: string | undefined, env: NodeJS.ProcessEnv): PreRegisteredClient | undefined {
    const secret = env[CLIENT_SECRET_VARIABLE] || undefined;
    // Taken out of the environment once read: the browser the client opens, and what it starts, never inherit it.
    delete env[CLIENT_SECRET_VARIABLE];
    if (raw === undefined) {
        if (secret !== undefined) usageError(PROGRAM, `${CLIENT_SECRET_VARIABLE} is set but --client-id is not: the secret belongs to the client the administrator registered; pass its id with --client-id`);
        if (issuer !== undefined) usageError(PROGRAM, '--client-issuer goes with --client-id');
        return undefined;
    }
    if (!/^[\x20-\x7e]{1,255}$/.test(raw)) usageError(PROGRAM, '--client-id must be 1 to 255 printable ASCII characters (RFC 6749 Appendix A.1)');
    // RFC 8414 §3.3: compared exactly as given, so it is kept as a string (new URL() would add a slash).
    if (issuer !== undefined) parseHttpUrl(PROGRAM, '--client-issuer', issuer);
    return { clientId: raw, secret, issuer };
}

/** `k=v` pairs into an object; a pair without `=` or a repeated key is a usage error. */
export function parseToolArguments(pairs: string[]): Record<string, string> {
    const result: Record<string, string> = {};
    for (const pair of pairs) {
        const at = pair.indexOf('=');
        if (at <= 0) usageError(PROGRAM, `tool arguments are k=v pairs; got ${JSON.stringify(pair.slice(0, 40))}`);
        const key = pair.slice(0, at);
        if (Object.hasOwn(result, key)) usageError(PROGRAM, `argument ${JSON.stringify(key)} given twice`);
        result[key] = pair.slice(at + 1);
    }
    return result;
}

export function parseOptions(argv = process.argv.slice(2)): ClientOptions {
    const { values, positionals } = parseCommandLineOrHelp(COMMAND_LINE, argv);
    const [command, ...rest] = positionals;
    if (!command) usageError(PROGRAM, `a command is required (${COMMANDS.join(', ')}); see --help`);
    if (!COMMANDS.includes(command as Command)) usageError(PROGRAM, `unknown command ${JSON.stringify(command.slice(0, 40))}; expected ${COMMANDS.join(', ')}`);
    if (values.headless && values.interactive) usageError(PROGRAM, '--headless and --interactive exclude each other');
    if (command === 'call' && rest.length === 0) usageError(PROGRAM, 'call needs a tool name: call <tool> [k=v …]');
    if (command !== 'call' && rest.length > 0) usageError(PROGRAM, `${command} takes no arguments`);
    if (values.refresh && command !== 'tools' && command !== 'call') usageError(PROGRAM, '--refresh goes with tools or call');
    return {
        command: command as Command,
        tool: command === 'call' ? rest[0] : undefined,
        toolArguments: command === 'call' ? parseToolArguments(rest.slice(1)) : {},
        server: (command === 'logout' && !values.server) || values.server === '-' ? undefined : parseServerUrl('--server', values.server),
        serverFromStdin: values.server === '-',
        headless: chooseHeadless(values, process.env, process.platform),
        store: values.store,
        maxStepUps: parseCount(PROGRAM, '--max-step-up-retries', values['max-step-up-retries'], 1),
        stepUp: values['step-up'],
        dpop: values.dpop,
        refresh: values.refresh,
        versionNegotiation: parseProtocol(values.protocol),
        authTimeoutMs: parseCount(PROGRAM, '--auth-timeout', values['auth-timeout'], 300, 1) * 1000,
        openBrowser: values.open,
        trace: values.trace,
        preRegisteredClient: command === 'logout' ? undefined : parsePreRegisteredClient(values['client-id'], values['client-issuer'], process.env),
        callbackPort: parseCallbackPort(values['callback-port'])
    };
}
