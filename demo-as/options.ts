/**
 * demo-as's command line: every flag with its description and default, the
 * table `--help` is generated from (support/usage.ts), and the checks that
 * turn a bad value into one line and exit status 2 (support/args.ts).
 */
import { parseCount, parsePort, usageError } from '../support/args.ts';
import { defineCommandLine, parseCommandLineOrHelp } from '../support/usage.ts';
import type { Settings } from './context.ts';
import { CAPS, LIFETIMES } from './policy.ts';
import { isAcceptableResource } from './rules/resource.ts';

export const PROGRAM = 'demo-as';

/** Longest access-token and consent lifetime a flag may set: a day. */
const MAX_LIFETIME_SECONDS = 86_400;

export const COMMAND_LINE = defineCommandLine({
    program: PROGRAM,
    synopsis: 'demo-as [flags]',
    preamble: 'The demo authorization server, on 127.0.0.1; it prints `listening on <origin>`, and that origin is its issuer.',
    flags: {
        port: { type: 'string', value: '<n>', description: 'port on 127.0.0.1', shownDefault: '0: any free port' },
        resource: {
            type: 'string',
            multiple: true,
            value: '<url>',
            description: 'a resource it issues tokens for, exactly as clients name it (RFC 8707), e.g. http://127.0.0.1:3001/mcp',
            shownDefault: 'none: any canonical http(s) resource URL'
        },
        'access-token-ttl': {
            type: 'string',
            value: '<seconds>',
            description: `access-token lifetime, 1 to ${MAX_LIFETIME_SECONDS}`,
            shownDefault: String(LIFETIMES.accessTokenSeconds)
        },
        'code-ttl': {
            type: 'string',
            value: '<seconds>',
            description: `authorization-code lifetime, 1 to ${LIFETIMES.codeSeconds}`,
            shownDefault: String(LIFETIMES.codeSeconds)
        },
        'consent-ttl': {
            type: 'string',
            value: '<seconds>',
            description: `how long a consent page can be answered, 1 to ${MAX_LIFETIME_SECONDS}`,
            shownDefault: String(LIFETIMES.consentSeconds)
        },
        'require-dpop': { type: 'boolean', default: false, description: 'issue DPoP-bound tokens only: a token request without a DPoP proof is refused (RFC 9449)', shownDefault: 'off' },
        'dpop-nonce': { type: 'boolean', default: false, description: 'DPoP proofs at /token must carry a current server nonce (RFC 9449 §8)', shownDefault: 'off' },
        'dpop-replay-memory': {
            type: 'string',
            value: '<n>',
            description: 'DPoP proofs /token remembers against replay; when that many are inside their window, new proofs get 503',
            shownDefault: String(CAPS.dpopProofs)
        },
        'loopback-any-port': {
            type: 'boolean',
            default: false,
            description: 'a loopback redirect URI (127.0.0.1, [::1], localhost) may differ from the registered one in its port only (RFC 8252 §7.3)',
            shownDefault: 'off: exact match, as the MCP spec says'
        }
    }
});

export interface AsOptions {
    port: number;
    settings: Settings;
}

export function parseAsOptions(argv = process.argv.slice(2)): AsOptions {
    const { values } = parseCommandLineOrHelp(COMMAND_LINE, argv);
    return {
        port: parsePort(PROGRAM, values.port, 0),
        settings: {
            accessTokenTtlSeconds: boundedSeconds('--access-token-ttl', values['access-token-ttl'], LIFETIMES.accessTokenSeconds, MAX_LIFETIME_SECONDS),
            codeTtlSeconds: boundedSeconds('--code-ttl', values['code-ttl'], LIFETIMES.codeSeconds, LIFETIMES.codeSeconds),
            consentTtlSeconds: boundedSeconds('--consent-ttl', values['consent-ttl'], LIFETIMES.consentSeconds, MAX_LIFETIME_SECONDS),
            servedResources: servedResources(values.resource ?? []),
            loopbackAnyPort: values['loopback-any-port'],
            requireDpop: values['require-dpop'],
            requireNonce: values['dpop-nonce'],
            dpopReplayMemory: parseCount(PROGRAM, '--dpop-replay-memory', values['dpop-replay-memory'], CAPS.dpopProofs, 1)
        }
    };
}

/** `--resource` values, each exactly as /authorize will compare it: canonical, absolute http(s), no fragment. */
function servedResources(values: string[]): string[] {
    for (const value of values) {
        if (!isAcceptableResource(value)) usageError(PROGRAM, `--resource must be a canonical absolute http(s) URL without a fragment, e.g. http://127.0.0.1:3001/mcp`);
    }
    return values;
}

/** A lifetime flag in whole seconds, from 1 to `max`. */
function boundedSeconds(flag: string, raw: string | undefined, fallback: number, max: number): number {
    const seconds = parseCount(PROGRAM, flag, raw, fallback, 1);
    if (seconds > max) usageError(PROGRAM, `${flag} must be at most ${max} seconds`);
    return seconds;
}
