/**
 * The 401 `WWW-Authenticate` challenge this RS sends, in the exact shape the
 * suite's clients and tests rely on. Every value in it is the RS's own (its
 * metadata URL, a scope from scopes.ts), never request text. The 403
 * `insufficient_scope` challenge is the SDK's (tools.ts, `requireScopes`).
 */
import { INITIAL_SCOPE } from './scopes.ts';

/**
 * 401 challenge. Without a token: no error code (RFC 6750 §3.1: a request that
 * lacks authentication gets none); with a bad one: `error="invalid_token"`.
 * `resource_metadata` lets the client find the AS (RFC 9728 §5.1); `scope`
 * says what to ask for first (MCP authorization, scope selection).
 */
export function authenticationChallenge(resourceMetadataUrl: string, tokenWasPresented: boolean): string {
    return challengeWith(resourceMetadataUrl, tokenWasPresented ? 'invalid_token' : undefined);
}

/** 400 challenge for a malformed Authorization header (RFC 6750 §3.1 `invalid_request`). */
export function malformedRequestChallenge(resourceMetadataUrl: string): string {
    return challengeWith(resourceMetadataUrl, 'invalid_request');
}

function challengeWith(resourceMetadataUrl: string, error: 'invalid_token' | 'invalid_request' | undefined): string {
    const params = [`resource_metadata="${resourceMetadataUrl}"`, `scope="${INITIAL_SCOPE}"`];
    if (error) params.unshift(`error="${error}"`);
    return `Bearer ${params.join(', ')}`;
}
