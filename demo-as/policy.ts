/**
 * The demo AS's policy, in one place: which scopes exist and what they mean,
 * which of them this server grants, how long each credential lives, and how
 * much state it is willing to keep. Every other file reads these values; none
 * has its own. Change the policy here and the metadata, the consent page, the
 * token endpoint and the stores all follow.
 */

export interface ScopeDefinition {
    name: string;
    /** One line a person reads on the consent page. */
    meaning: string;
    /** `false`: listed in the metadata, shown on the consent page, never put into a token. */
    grantable: boolean;
}

export const SCOPES: readonly ScopeDefinition[] = [
    { name: 'files:read', meaning: 'See the names of your files and read what is in them.', grantable: true },
    { name: 'files:write', meaning: 'Create new files and change existing ones.', grantable: true },
    // Never granted, so the story can show a client hitting the step-up retry cap.
    { name: 'files:admin', meaning: 'Delete all of your files at once.', grantable: false }
];

/** Used when an authorization request names no scope (RFC 6749 §3.3 lets the AS pick a default). */
export const DEFAULT_SCOPE = 'files:read';

/** There are no user accounts: whoever sits at the browser is this one person. */
export const DEMO_SUBJECT = 'demo-user';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const LIFETIMES = {
    /** Default for `--access-token-ttl`. Short, because a stateless JWT cannot be revoked (RFC 9068). */
    accessTokenSeconds: 300,
    /** Default (and maximum) for `--code-ttl`. RFC 6749 §4.1.2: "a maximum authorization code lifetime of 10 minutes is RECOMMENDED"; we keep it at 60 s. */
    codeSeconds: 60,
    /** Default for `--consent-ttl`: how long a consent page can be answered. */
    consentSeconds: 600,
    /** How long a redeemed code is remembered, so that a replay can still revoke what it issued (RFC 6749 §4.1.2). */
    codeReplayMemoryMs: 10 * MINUTE,
    /** Each refresh token lives this long; rotation issues a new one (RFC 9700 §4.14.2). */
    refreshTokenMs: 24 * HOUR,
    /** A registration nobody has used for this long is forgotten. */
    clientIdleMs: 24 * HOUR
} as const;

/**
 * Upper bounds on what the AS keeps in memory. When a store is full the
 * oldest entry goes (for registrations: the one used least recently), so a
 * flood of requests costs the flooder's own earlier entries, never memory.
 */
export const CAPS = {
    clients: 10_000,
    pendingConsents: 1_000,
    codes: 10_000,
    refreshTokens: 50_000,
    /** Live families remembered per client, resource and person for the consent page's "already allowed" marks; older ones only lose their mark. */
    familiesPerHolder: 16,
    /**
     * Default for `--dpop-replay-memory`: DPoP proof jtis remembered at /token, each for the proof's iat window
     * (RFC 9449 §11.1). The one store that refuses rather than evicts when full: forgetting a jti would reopen its replay.
     */
    dpopProofs: 50_000
} as const;

/** Size limits on what a client may send; larger input is refused, not truncated. */
export const LIMITS = {
    jsonBody: '16kb',
    formBody: '8kb',
    /** Enough for a host that registers one callback per port it may bind (Mastra's documented set is 11). */
    redirectUrisPerClient: 16,
    redirectUriLength: 512,
    clientNameLength: 100,
    resourceLength: 512,
    stateLength: 512
} as const;
