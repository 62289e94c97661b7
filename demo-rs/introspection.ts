/**
 * Opaque access tokens, checked by asking the authorization server (RFC 7662
 * token introspection) — for providers that issue tokens the RS cannot read
 * (oidc-provider's default format, Ory Hydra, Keycloak on request).
 *
 * The RS authenticates to the introspection endpoint as its own confidential
 * client with `client_secret_basic` (RFC 6749 §2.3.1); the secret comes from
 * the environment (options.ts) and is never printed. An answer is accepted
 * when `active` is true (§2.2), it has an `exp` in the future (the SDK needs
 * one, and the cache is bounded by it) and a `client_id`, and — when the
 * answer names them — its `iss` is the configured issuer and its `aud`
 * includes an accepted audience. RFC 7662 makes `iss` and `aud` optional, so
 * an answer without them is the AS's word that the token is good here; an AS
 * serving several resources should name `aud` (oidc-provider, Keycloak, Okta
 * and Hydra do). Scopes and `cnf.jkt` are read as a JWT's are
 * (token-claims.ts), so DPoP binding holds for opaque tokens too (RFC 9449 §6.2).
 *
 * An endpoint that cannot answer — no connection, no answer within
 * INTROSPECTION_TIMEOUT_MS, any status but 200, a body that is not a JSON
 * object or is larger than MAX_ANSWER_BYTES — is the AS's problem, not the client's: 503 with Retry-After
 * (bearer-auth.ts), and a line on stderr saying which. Active answers are
 * cached (introspection-cache.ts).
 */
import type { AuthInfo, OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { AuthorizationServerUnavailableError } from './authorization-server.ts';
import { IntrospectionCache } from './introspection-cache.ts';
import { audienceAccepted, authInfoFromClaims, invalidToken } from './token-claims.ts';

export const INTROSPECTION_TIMEOUT_MS = 5000;

/** An introspection answer is a small JSON object; a larger body is not read (the endpoint is the AS's, but the RS's memory is its own). */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface IntrospectionVerifierOptions {
    endpoint: URL;
    clientId: string;
    clientSecret: string;
    issuer: string;
    resource: URL;
    /** The accepted `aud` values (the resource URL, or the `--audience` values). */
    audiences: string[];
    onUnavailable: (error: AuthorizationServerUnavailableError) => void;
}

function unavailable(reason: string): AuthorizationServerUnavailableError {
    return new AuthorizationServerUnavailableError(reason, 'The authorization server could not be reached to introspect the access token; try again shortly.');
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined and base64-encoded. */
function basicCredentials(clientId: string, clientSecret: string): string {
    const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
    return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** The body as text, or undefined when it is larger than MAX_ANSWER_BYTES (leaving the loop early cancels the rest of the stream). */
async function boundedText(response: Response): Promise<string | undefined> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
        size += chunk.byteLength;
        if (size > MAX_ANSWER_BYTES) return undefined;
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}

/** RFC 7662 §2.1: POST token=… with the RS's credentials; the answer as a JSON object, or unavailable. */
async function introspect(options: IntrospectionVerifierOptions, token: string): Promise<Record<string, unknown>> {
    let response: Response;
    try {
        response = await fetch(options.endpoint, {
            method: 'POST',
            headers: { authorization: basicCredentials(options.clientId, options.clientSecret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
            redirect: 'error',
            signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS)
        });
    } catch (error) {
        const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
        throw unavailable((error as Error).name === 'TimeoutError' ? `its introspection endpoint gave no answer within ${INTROSPECTION_TIMEOUT_MS / 1000} s` : `its introspection endpoint could not be reached${code ? ` (${code})` : ''}`);
    }
    if (response.status !== 200) {
        await response.body?.cancel();
        const why = response.status === 401 || response.status === 403 ? ', refusing this RS\'s client credentials' : '';
        throw unavailable(`its introspection endpoint answered HTTP ${response.status}${why}`);
    }
    const text = await boundedText(response).catch(() => undefined);
    let answer: unknown;
    try {
        answer = text === undefined ? undefined : JSON.parse(text);
    } catch {
        answer = undefined;
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw unavailable('its introspection endpoint answered something other than a JSON object');
    return answer as Record<string, unknown>;
}

/** RFC 7662 §2.2 and this RS's rules (above): the AuthInfo of an acceptable answer, or invalid_token. */
function acceptAnswer(answer: Record<string, unknown>, token: string, options: IntrospectionVerifierOptions): AuthInfo {
    const now = Date.now() / 1000;
    // RFC 7662 §2.2: "active" is the one required member; anything but true means the token is not usable.
    if (answer.active !== true) throw invalidToken('The access token is not active (the authorization server reports it revoked, expired or unknown).');
    if (typeof answer.exp !== 'number') throw invalidToken('The access token has no expiry in its introspection answer.');
    if (answer.exp <= now) throw invalidToken('The access token has expired.');
    if (typeof answer.nbf === 'number' && answer.nbf > now) throw invalidToken('The access token is not valid yet.');
    // RFC 9068 §4 applied to the answer: when it names the issuer or the audience, they must be ours.
    if (answer.iss !== undefined && answer.iss !== options.issuer) throw invalidToken('The access token was issued by a different authorization server.');
    if (answer.aud !== undefined && !audienceAccepted(answer.aud, options.audiences)) throw invalidToken('The access token was issued for a different resource.');
    return authInfoFromClaims(token, answer, options.resource);
}

export function introspectionVerifier(options: IntrospectionVerifierOptions): OAuthTokenVerifier {
    const cache = new IntrospectionCache();
    return {
        async verifyAccessToken(token) {
            const cached = cache.recall(token);
            if (cached) return cached;
            let answer: Record<string, unknown>;
            try {
                answer = await introspect(options, token);
            } catch (error) {
                if (error instanceof AuthorizationServerUnavailableError) options.onUnavailable(error);
                throw error;
            }
            const authInfo = acceptAnswer(answer, token, options);
            cache.remember(token, authInfo);
            return authInfo;
        }
    };
}
