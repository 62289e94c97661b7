/**
 * The 401 `WWW-Authenticate` challenge this RS sends, in the exact shape the
 * suite's clients and tests rely on. Every value in it is the RS's own (its
 * metadata URL, `--initial-scope`: scopes from scopes.ts), never request text. The 403
 * `insufficient_scope` challenge is the SDK's (tools.ts, `requireScopes`),
 * re-issued under the DPoP scheme for DPoP requests (dpop-binding.ts).
 */
/**
 * 401 challenge. Without a token: no error code (RFC 6750 §3.1: a request that
 * lacks authentication gets none); with a bad one: `error="invalid_token"`.
 * `resource_metadata` lets the client find the AS (RFC 9728 §5.1); `scope`
 * says what to ask for first (MCP authorization, scope selection): `initialScope`,
 * the space-separated `--initial-scope` (default INITIAL_SCOPE, least privilege).
 */
export function authenticationChallenge(resourceMetadataUrl: string, initialScope: string, tokenWasPresented: boolean, dpop?: DpopChallengeOptions): string {
    const params = [`resource_metadata="${resourceMetadataUrl}"`, `scope="${initialScope}"`];
    if (!dpop) {
        if (tokenWasPresented) params.unshift('error="invalid_token"');
        return `Bearer ${params.join(', ')}`;
    }
    // RFC 9449 §7.1: the DPoP challenge names the proof algorithms; a DPoP failure is reported under it.
    const dpopParams = [...(dpop.error ? [`error="${dpop.error}"`] : []), `algs="${dpop.algs}"`, ...params];
    if (dpop.error || dpop.required) return `DPoP ${dpopParams.join(', ')}`;
    if (tokenWasPresented) params.unshift('error="invalid_token"');
    return `Bearer ${params.join(', ')}, DPoP algs="${dpop.algs}"`;
}

/** 400 challenge for a malformed Authorization header (RFC 6750 §3.1 `invalid_request`). */
export function malformedRequestChallenge(resourceMetadataUrl: string, initialScope: string): string {
    return `Bearer error="invalid_request", resource_metadata="${resourceMetadataUrl}", scope="${initialScope}"`;
}

export interface DpopChallengeOptions {
    /** The space-separated proof algorithms (RFC 9449 §7.1 `algs`). */
    algs: string;
    /** `--require-dpop`: only the DPoP scheme is offered. */
    required: boolean;
    /** The error of a request that used the DPoP scheme (or of any request, when DPoP is required). */
    error?: string;
}
