/**
 * Every way a client run can end badly, as one line a person can act on.
 *
 * The rule that shapes this file: text that an attacker may have chosen is
 * never printed raw. On an `iss` mismatch (RFC 9207; SEP-2468) nothing from
 * the callback is shown at all — not the received `iss`, not `error`,
 * `error_description` or `error_uri` — only how the received value relates to
 * the expected one. Other server text is shown only escaped and capped.
 */
import {
    AuthorizationServerMismatchError,
    InsecureTokenEndpointError,
    IssuerMismatchError,
    OAuthError,
    ProtocolError,
    RegistrationRejectedError,
    SdkError,
    SdkHttpError,
    UnauthorizedError
} from '@modelcontextprotocol/client';
import { AuthorizationTimeoutError } from './callback-listener.ts';
import { BodyTooLargeError } from './bounded-fetch.ts';
import { ConsentPageError } from './consent-form.ts';
import { InsecureEndpointError } from './credential-endpoint.ts';
import { HeadlessConsentError } from './headless-user-agent.ts';
import { AuthorizationServerUnreachableError, networkReason, ResourceServerUnreachableError } from './http-observer.ts';
import { describeIssDifference } from './iss-difference.ts';
import { plainText, quoteUntrusted, redactUrls, showIssuer, showUrl } from './plain-text.ts';

/** A failure whose one-line explanation is already written. */
export class ClientFailure extends Error {
    constructor(
        message: string,
        readonly exitCode = 1
    ) {
        super(message);
    }
}

/** The one line printed for an IssuerMismatchError. */
export function issuerMismatchLine(error: IssuerMismatchError): string {
    if (error.kind === 'metadata') {
        return `refused the authorization server: its metadata names an issuer other than the expected ${showIssuer(error.expected)} (RFC 8414 §3.3)`;
    }
    const difference = describeIssDifference(error.expected, error.received);
    return `refused the authorization response: expected iss ${showIssuer(error.expected)}; ${difference} (RFC 9207 §2.4, mix-up defence). Nothing was redeemed.`;
}

/** The code of an RFC 6749 error, when it is one (error = 1*NQSCHAR; printable, no quote or backslash). */
const errorCode = (code: string) => (/^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(code) ? code : '(a malformed error code)');

/** An error callback whose `iss` validated: the code and description may be shown, as plain text. */
export function authorizationErrorLine(error: OAuthError): string {
    const description = error.message && error.message !== error.code ? ` — ${quoteUntrusted(error.message)}` : '';
    return `the authorization server refused the authorization: ${errorCode(error.code)}${description}`;
}

/**
 * No authorization server metadata at any location discovery tries (RFC 8414 §3, OpenID Connect
 * Discovery §4), said as the cause: the SDK falls back to a guessed /register, whose refusal is the symptom.
 */
export function noMetadataLine(authorizationServer: string, registrationStatus: number): string {
    return `no authorization server metadata at ${showIssuer(authorizationServer)} (tried the RFC 8414 and OpenID Connect locations), so there is no registration endpoint to use; the guessed /register answered HTTP ${registrationStatus}`;
}

/** An AS that issues DPoP-bound tokens only (RFC 9449), asked for a Bearer token. */
export const DPOP_REQUIRED_LINE = 'the authorization server requires DPoP-bound tokens (RFC 9449) and refused the token request without a DPoP proof; run again without --no-dpop';

/** One line for any error that reaches the top level. */
export function describeFailure(error: unknown): string {
    if (error instanceof ClientFailure) return error.message;
    if (error instanceof IssuerMismatchError) return issuerMismatchLine(error);
    if (error instanceof AuthorizationServerMismatchError) return 'refused to redeem the code: the authorization server changed while the user was away (SEP-2352)';
    if (error instanceof OAuthError) return `the authorization server answered with an OAuth error: ${errorCode(error.code)} — ${quoteUntrusted(error.message)}`;
    if (error instanceof RegistrationRejectedError) return `the authorization server refused the client registration (HTTP ${error.status})`;
    if (error instanceof InsecureEndpointError) return error.message;
    if (error instanceof BodyTooLargeError) return error.message;
    if (error instanceof InsecureTokenEndpointError) return new InsecureEndpointError(`token endpoint ${showUrl(error.tokenEndpoint)} (from the authorization server metadata)`).message;
    if (error instanceof AuthorizationTimeoutError) return error.message;
    if (error instanceof HeadlessConsentError || error instanceof ConsentPageError) return `headless: ${error.message}`;
    if (error instanceof SdkHttpError) return `the resource server answered HTTP ${error.status}${error.statusText ? ` ${plainText(error.statusText, 40)}` : ''}`;
    if (error instanceof UnauthorizedError) return 'authorization did not complete';
    if (error instanceof ProtocolError) return `the resource server answered with JSON-RPC error ${error.code}: ${quoteUntrusted(error.message)}`;
    if (error instanceof SdkError) return `the MCP connection failed: ${plainText(redactUrls(error.message))}`;
    if (error instanceof AuthorizationServerUnreachableError || error instanceof ResourceServerUnreachableError) return error.message;
    if (error instanceof TypeError && error.message === 'fetch failed') return `cannot reach the server (${networkReason(error) ?? 'network error'})`;
    // An error's message may quote a URL, and a URL may carry a credential: redacted like every URL shown.
    if (error instanceof Error) return `unexpected error: ${plainText(redactUrls(error.message))}`;
    return 'unexpected error';
}
