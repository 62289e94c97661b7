/**
 * What a token response's `scope` says about the request, in the words a
 * reader needs: which requested scopes were refused, which ones the
 * authorization server added for its own reasons, and `offline_access`, which
 * is answered with a refresh token rather than listed on the access token.
 *
 * The SDK asks for `offline_access` itself when the AS advertises it (its
 * determineScope), and an AS with resource indicators (oidc-provider) leaves
 * it out of the access token's scope because it is no scope of the resource —
 * the refresh token in the same response is the grant. Calling that "not
 * granted" would send the reader looking for a refusal that did not happen.
 */

/** OpenID Connect Core §11: the scope that asks for a refresh token. */
export const OFFLINE_ACCESS = 'offline_access';

const tokensOf = (scope: string | undefined) => (scope ?? '').split(' ').filter(Boolean);

export interface ScopeComparison {
    /** Requested, not in the granted scope, and not answered otherwise. */
    refused: string[];
    /** Granted without being requested. */
    added: string[];
    /** offline_access was requested and a refresh token came with the response. */
    offlineAccessAsRefreshToken: boolean;
}

export function compareGrantedScope(requested: string | undefined, granted: string | undefined, refreshTokenIssued: boolean): ScopeComparison {
    const asked = new Set(tokensOf(requested));
    const got = new Set(tokensOf(granted));
    const offlineAccessAsRefreshToken = asked.has(OFFLINE_ACCESS) && !got.has(OFFLINE_ACCESS) && refreshTokenIssued;
    return {
        refused: [...asked].filter((token) => !got.has(token) && !(token === OFFLINE_ACCESS && offlineAccessAsRefreshToken)),
        added: [...got].filter((token) => !asked.has(token)),
        offlineAccessAsRefreshToken
    };
}
