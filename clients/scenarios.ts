/**
 * The runs each client goes through: a plan for the adapter (kit.ts), the
 * flags the AS and RS start with, and what the person at the browser does.
 * Few runs per client (the whole matrix must fit CI's budget): one story run
 * covers first authorization, list, the step-up, list again and the purge
 * whose scope is never granted; the others each probe one property.
 */

/** What the scripted person does with the callback's `iss` (e2e/scripted-browser.ts). */
export type PersonBehaviour = 'approve' | 'rewrite-iss' | 'drop-iss';

export interface Scenario {
    id: string;
    plan: string[];
    asArgs: string[];
    rsArgs: string[];
    person: PersonBehaviour;
    /** At the plan's `pause`: restart the AS (forgetting every client) and let the access token expire. */
    restartAsAtPause?: { accessTokenTtlSeconds: number };
}

/** The issuer a rewritten callback names: not the AS that issued the code (RFC 9207 §2.4). */
export const WRONG_ISS = 'https://attacker.example';

const RESTART_TTL_SECONDS = 4;

function scenario(id: string, plan: string, options: Partial<Omit<Scenario, 'id' | 'plan'>> = {}): Scenario {
    return { id, plan: plan.split(','), asArgs: [], rsArgs: [], person: 'approve', ...options };
}

export const SCENARIOS = {
    /** The default story: least privilege first, exact redirect URIs, union step-up; files:admin is never granted. */
    story: scenario('story', 'connect,call:list-files,call:write-file,call:list-files,call:purge-files'),
    /** The story again with demo-as --loopback-any-port, run only when the AS refused the client's redirect URI. */
    storyAnyPort: scenario('story-any-port', 'connect,call:list-files,call:write-file,call:list-files,call:purge-files', { asArgs: ['--loopback-any-port'] }),
    issRewritten: scenario('iss-rewritten', 'connect', { person: 'rewrite-iss' }),
    issRemoved: scenario('iss-removed', 'connect', { person: 'drop-iss' }),
    asRestart: scenario('as-restart', 'connect,call:list-files,pause,call:list-files', {
        asArgs: ['--access-token-ttl', String(RESTART_TTL_SECONDS)],
        restartAsAtPause: { accessTokenTtlSeconds: RESTART_TTL_SECONDS }
    }),
    /** demo-rs names both scopes in its first challenge: a client that cannot step up can still write. */
    initialScope: scenario('initial-scope', 'connect,call:write-file', { rsArgs: ['--initial-scope', 'files:read files:write'] }),
    /** demo-rs's 403 names the scopes held besides the one required: a client that replaces scope keeps list-files. */
    heldAndRequired: scenario('held-and-required', 'connect,call:write-file,call:list-files', { rsArgs: ['--challenge-scope', 'held-and-required'] }),
    /** demo-as and demo-rs both refuse tokens that are not DPoP-bound (RFC 9449). */
    dpop: scenario('dpop', 'connect,call:list-files', { asArgs: ['--require-dpop'], rsArgs: ['--require-dpop'] })
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;
