/**
 * demo-rs's command line: every flag, its default, and the checks that turn a
 * bad value into one line and exit status 2 (support/args.ts).
 *
 * The defaults are the strictest settings; each flag that fits the RS to a real
 * identity provider relaxes exactly one check, and only when given:
 * `--resource-url` (the public name the RS is reached under), `--audience`
 * (what the provider puts in `aud`), `--accept-typ` (a `typ` other than
 * `at+jwt`), `--introspection-url` (opaque tokens, RFC 7662). The
 * introspection secret comes from the environment only, so it never appears
 * in a process list or a shell history, and it is never printed.
 *
 * Two flags fit the RS to clients that cannot step up as the MCP authorization
 * spec describes, each at a cost the operator chooses: `--initial-scope` names
 * a wider set in the first 401 (the user consents to more up front, the first
 * token carries more), and `--challenge-scope held-and-required` makes each 403
 * name the scopes the token already holds too (for clients that replace their
 * scope with the challenged one instead of taking the union).
 */
import { parseCommandLine, parseCount, parseHttpUrl, parseOrigin, parsePort, usageError } from '../support/args.ts';
import { MAX_REMEMBERED_PROOFS } from './dpop-binding.ts';
import { CHALLENGE_SCOPES, type ChallengeScope } from './scope-challenge.ts';
import { INITIAL_SCOPE, SCOPES_SUPPORTED } from './scopes.ts';
import { ACCESS_TOKEN_TYP, EXTRA_TYPS, type ExtraTyp } from './token-claims.ts';

export const PROGRAM = 'demo-rs';

/** Where the introspection client secret comes from; never a flag. */
export const INTROSPECTION_SECRET_ENV = 'DEMO_RS_INTROSPECTION_SECRET';

export const USAGE = `usage: demo-rs --issuer <AS issuer> [flags]

  --port <n>                     port on 127.0.0.1 (default 0: any free port)
  --issuer <url>                 the one authorization server trusted, exactly as it names itself (required)
  --allowed-origin <origin>      a browser origin allowed besides loopback ones (repeatable; default none)
  --require-dpop                 refuse Bearer tokens; DPoP-bound tokens only (default off)
  --dpop-replay-memory <n>       DPoP proofs remembered against replay (default ${MAX_REMEMBERED_PROOFS})
  --replay-store redis://host:port
                                 keep DPoP proofs against replay in this Redis, shared by every RS instance behind
                                 one load balancer (default: in this process, for a single instance); while Redis
                                 does not answer, DPoP-bound calls are refused with 503 (docs/production.md)
  --resource-url <url>           the public URL of the MCP endpoint, e.g. https://mcp.example.com/mcp, when the
                                 RS is reached through a TLS proxy: announced in the metadata and challenges,
                                 required as aud and as the DPoP htu; its host is allowed as Host besides
                                 loopback names (default: http://127.0.0.1:<port>/mcp)
  --audience <value>             an accepted aud value instead of the resource URL, e.g. an API identifier
                                 (repeatable; default: the resource URL only)
  --accept-typ JWT|none          also accept access tokens whose header says typ JWT, or has no typ
                                 (repeatable; default: ${ACCESS_TOKEN_TYP} only, RFC 9068)
  --introspection-url <url>      RFC 7662 endpoint for tokens that are not JWTs (default: none; opaque tokens refused)
  --introspection-client-id <id> the RS's client at that endpoint (client_secret_basic; the secret is read from
                                 the environment variable ${INTROSPECTION_SECRET_ENV})
  --initial-scope "<scopes>"     the space-separated scopes every 401 challenge names, what a client asks for
                                 first; each one this RS defines (${SCOPES_SUPPORTED.join(', ')}).
                                 Wider than the default serves clients that cannot step up, at the cost of
                                 consent to more up front (default: ${INITIAL_SCOPE}, least privilege)
  --challenge-scope ${CHALLENGE_SCOPES.join('|')}
                                 what a tool's 403 insufficient_scope names: the scope it needs, or that and every
                                 scope of this RS the token holds, for clients that replace their scope instead of
                                 adding to it (default: required)
  -h, --help                     this text
`;

export interface IntrospectionSettings {
    endpoint: URL;
    clientId: string;
    clientSecret: string;
}

export interface RsOptions {
    port: number;
    issuer: string;
    allowedOrigins: string[];
    requireDpop: boolean;
    dpopReplayMemory: number;
    /** `--replay-store`: a Redis URL, or undefined: the in-process memory. */
    replayStore?: URL;
    /** `--resource-url`, or undefined: derived from the bound address. */
    resourceUrl?: URL;
    /** `--audience` values; empty: the resource URL is the one accepted `aud`. */
    audiences: string[];
    acceptTyps: ExtraTyp[];
    introspection?: IntrospectionSettings;
    /** `--initial-scope`: space-separated scopes of SCOPES_SUPPORTED, named in every 401. */
    initialScope: string;
    /** `--challenge-scope`: what each tool's 403 names (scope-challenge.ts). */
    challengeScope: ChallengeScope;
}

/**
 * The issuer exactly as given, which must be exactly as the AS names itself: RFC 8414 §3.3 and RFC 9068 §4
 * compare issuers as strings, so `http://as.example/` and `http://as.example` are different issuers. The
 * string is never rebuilt from its parsed URL (`new URL()` gives both the pathname `/`); the parse only
 * checks it is an http(s) URL without query or fragment (RFC 8414 §2).
 */
function issuerFrom(raw: string): string {
    const url = parseHttpUrl(PROGRAM, '--issuer', raw);
    if (url.search || url.hash || raw.includes('?') || raw.includes('#')) usageError(PROGRAM, '--issuer must not have a query or fragment');
    if (/\s/.test(raw)) usageError(PROGRAM, '--issuer must not contain spaces');
    return raw;
}

/** RFC 8707 §2 / RFC 9728 §2: a resource is an absolute URL without fragment; no query and no userinfo either, since it is also the URL clients call. */
function resourceUrlFrom(raw: string | undefined): URL | undefined {
    if (raw === undefined) return undefined;
    const url = parseHttpUrl(PROGRAM, '--resource-url', raw);
    if (url.search || url.hash || raw.includes('?') || raw.includes('#')) usageError(PROGRAM, '--resource-url must not have a query or fragment');
    if (url.username || url.password) usageError(PROGRAM, '--resource-url must not carry a user name or password');
    if (url.pathname === '/') usageError(PROGRAM, '--resource-url must name the MCP endpoint\'s path, e.g. https://mcp.example.com/mcp');
    return url;
}

/** A Redis URL (`redis://`, or `rediss://` for TLS); a password in it is read by the client and never printed. */
function replayStoreFrom(raw: string | undefined, memorySize: string | undefined): URL | undefined {
    if (raw === undefined) return undefined;
    // The size cap is the in-process memory's; Redis is bounded by its own maxmemory (docs/production.md).
    if (memorySize !== undefined) usageError(PROGRAM, '--dpop-replay-memory sizes the in-process memory; with --replay-store, Redis\'s maxmemory bounds the store');
    if (!URL.canParse(raw)) usageError(PROGRAM, '--replay-store must be a redis://host:port URL');
    const url = new URL(raw);
    if (!['redis:', 'rediss:'].includes(url.protocol) || !url.hostname) usageError(PROGRAM, '--replay-store must be a redis://host:port URL');
    if (url.search || url.hash) usageError(PROGRAM, '--replay-store must not have a query or fragment');
    return url;
}

function audiencesFrom(raw: string[] | undefined): string[] {
    const audiences = raw ?? [];
    if (audiences.some((value) => value === '' || /\s/.test(value))) usageError(PROGRAM, '--audience must be a non-empty value without spaces');
    return audiences;
}

function acceptTypsFrom(raw: string[] | undefined): ExtraTyp[] {
    const values = raw ?? [];
    const unknown = values.find((value) => !(EXTRA_TYPS as readonly string[]).includes(value));
    if (unknown !== undefined) usageError(PROGRAM, `--accept-typ must be ${EXTRA_TYPS.join(' or ')} (${ACCESS_TOKEN_TYP} is always accepted)`);
    return values as ExtraTyp[];
}

/** RFC 6749 §3.3: scope-token *( SP scope-token ); each token one this RS defines (RFC 9728 `scopes_supported`), each once. */
function initialScopeFrom(raw: string | undefined): string {
    if (raw === undefined) return INITIAL_SCOPE;
    const scopes = raw.split(' ');
    const wellFormed = scopes.every((scope) => SCOPES_SUPPORTED.includes(scope)) && new Set(scopes).size === scopes.length;
    if (!wellFormed) usageError(PROGRAM, `--initial-scope must be scopes this RS defines, each once, separated by single spaces: ${SCOPES_SUPPORTED.join(' ')}`);
    return raw;
}

function challengeScopeFrom(raw: string | undefined): ChallengeScope {
    if (raw === undefined) return 'required';
    if (!(CHALLENGE_SCOPES as readonly string[]).includes(raw)) usageError(PROGRAM, `--challenge-scope must be ${CHALLENGE_SCOPES.join(' or ')}`);
    return raw as ChallengeScope;
}

/** RFC 7662 §4 / RFC 6749 §2.3.1: the RS's credentials go to the endpoint over TLS, or stay on this machine. */
function introspectionFrom(rawUrl: string | undefined, clientId: string | undefined, env: NodeJS.ProcessEnv): IntrospectionSettings | undefined {
    if (rawUrl === undefined && clientId === undefined) return undefined;
    if (rawUrl === undefined) usageError(PROGRAM, '--introspection-client-id needs --introspection-url');
    const endpoint = parseHttpUrl(PROGRAM, '--introspection-url', rawUrl);
    const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(endpoint.hostname);
    if (endpoint.protocol !== 'https:' && !loopback) usageError(PROGRAM, '--introspection-url must be https (or http on a loopback address): the RS sends its client secret there');
    if (endpoint.username || endpoint.password) usageError(PROGRAM, `--introspection-url must not carry a user name or password; the secret comes from ${INTROSPECTION_SECRET_ENV}`);
    if (!clientId) usageError(PROGRAM, '--introspection-url needs --introspection-client-id <id>');
    const clientSecret = env[INTROSPECTION_SECRET_ENV];
    if (!clientSecret) usageError(PROGRAM, `--introspection-url needs the client secret in the environment variable ${INTROSPECTION_SECRET_ENV}`);
    return { endpoint, clientId, clientSecret };
}

export function parseRsOptions(argv = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): RsOptions {
    const { values } = parseCommandLine(
        PROGRAM,
        {
            port: { type: 'string' },
            issuer: { type: 'string' },
            'allowed-origin': { type: 'string', multiple: true },
            'require-dpop': { type: 'boolean', default: false },
            'dpop-replay-memory': { type: 'string' },
            'replay-store': { type: 'string' },
            'resource-url': { type: 'string' },
            audience: { type: 'string', multiple: true },
            'accept-typ': { type: 'string', multiple: true },
            'introspection-url': { type: 'string' },
            'introspection-client-id': { type: 'string' },
            'initial-scope': { type: 'string' },
            'challenge-scope': { type: 'string' },
            help: { type: 'boolean', short: 'h' }
        },
        argv
    );
    if (values.help) {
        process.stdout.write(USAGE);
        process.exit(0);
    }
    return {
        port: parsePort(PROGRAM, values.port, 0),
        issuer: issuerFrom(values.issuer ?? ''),
        allowedOrigins: (values['allowed-origin'] ?? []).map((raw) => parseOrigin(PROGRAM, '--allowed-origin', raw)),
        requireDpop: values['require-dpop'],
        dpopReplayMemory: parseCount(PROGRAM, '--dpop-replay-memory', values['dpop-replay-memory'], MAX_REMEMBERED_PROOFS, 1),
        replayStore: replayStoreFrom(values['replay-store'], values['dpop-replay-memory']),
        resourceUrl: resourceUrlFrom(values['resource-url']),
        audiences: audiencesFrom(values.audience),
        acceptTyps: acceptTypsFrom(values['accept-typ']),
        introspection: introspectionFrom(values['introspection-url'], values['introspection-client-id'], env),
        initialScope: initialScopeFrom(values['initial-scope']),
        challengeScope: challengeScopeFrom(values['challenge-scope'])
    };
}
