/**
 * What a dynamic registration request may contain (RFC 7591 §2, §3.2.2).
 *
 * The AS reads only the fields it understands, checks each one's type, and
 * refuses anything it would have to guess about. It registers public clients
 * only (token_endpoint_auth_method "none", PKCE instead of a secret), with
 * the authorization_code and refresh_token grants and the code response type.
 * A client that asks for a secret method (`client_secret_post`,
 * `client_secret_basic`) is registered as the public client it is instead:
 * RFC 7591 §3.2.1 lets the server replace requested values, the response
 * says `none`, and no secret is ever issued. Any other method is refused.
 * Fields it does not know are ignored, as RFC 7591 §2 allows.
 */
import { LIMITS } from '../policy.ts';
import { redirectUriProblem } from './redirect-uri.ts';

export type RegistrationError = 'invalid_redirect_uri' | 'invalid_client_metadata';

/** Secret-based token endpoint methods (RFC 7591 §2) this AS answers with "none" rather than refuse. */
export const SECRET_AUTH_METHODS = ['client_secret_post', 'client_secret_basic'] as const;

export type SecretAuthMethod = (typeof SECRET_AUTH_METHODS)[number];

export type ClientMetadataCheck =
    | { ok: true; clientName: string | undefined; redirectUris: string[]; replacedAuthMethod: SecretAuthMethod | undefined }
    | { ok: false; error: RegistrationError; description: string };

export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token'] as const;
export const SUPPORTED_RESPONSE_TYPES = ['code'] as const;
export const SUPPORTED_AUTH_METHODS = ['none'] as const;

/** The refusal of an auth method this AS neither supports nor replaces; it names the fix. */
export const AUTH_METHOD_REFUSAL = 'register with token_endpoint_auth_method none; this AS issues no client secrets';

/** Checks a parsed JSON registration body; `body` is whatever the client sent. */
export function checkClientMetadata(body: unknown): ClientMetadataCheck {
    if (!isPlainObject(body)) return refuse('invalid_client_metadata', 'the body must be a JSON object');
    const redirectProblem = redirectUrisProblem(body.redirect_uris);
    if (redirectProblem) return refuse('invalid_redirect_uri', redirectProblem);
    const metadataProblem =
        clientNameProblem(body.client_name) ??
        listProblem(body.grant_types, SUPPORTED_GRANT_TYPES, 'grant_types') ??
        listProblem(body.response_types, SUPPORTED_RESPONSE_TYPES, 'response_types') ??
        authMethodProblem(body.token_endpoint_auth_method) ??
        scopeProblem(body.scope);
    if (metadataProblem) return refuse('invalid_client_metadata', metadataProblem);
    return {
        ok: true,
        clientName: body.client_name as string | undefined,
        redirectUris: body.redirect_uris as string[],
        replacedAuthMethod: replacedAuthMethod(body.token_endpoint_auth_method)
    };
}

function refuse(error: RegistrationError, description: string): ClientMetadataCheck {
    return { ok: false, error, description };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// RFC 7591 §2: redirect_uris, an array; every entry must pass, one bad entry refuses the whole request.
function redirectUrisProblem(value: unknown): string | undefined {
    if (!Array.isArray(value) || value.length === 0) return 'redirect_uris must be a non-empty array';
    if (value.length > LIMITS.redirectUrisPerClient) return `at most ${LIMITS.redirectUrisPerClient} redirect URIs may be registered`;
    for (const entry of value) {
        const problem = redirectUriProblem(entry);
        if (problem) return problem;
    }
    return undefined;
}

/**
 * Characters that draw nothing, or rearrange what is drawn, chosen by Unicode
 * property so that new ones are covered as Unicode adds them: controls (Cc),
 * format characters (Cf: zero-width, bidi marks, soft hyphen, tag characters),
 * lone surrogates (Cs), line and paragraph separators (Zl, Zp), Bidi_Control
 * (U+061C ARABIC LETTER MARK, the embeddings, overrides and isolates) and
 * Default_Ignorable_Code_Point (fillers, variation selectors, the unassigned
 * tag range).
 */
const DISGUISING_CHARACTER = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Bidi_Control}\p{Default_Ignorable_Code_Point}]/u;

// The consent page shows the name, so it must not be able to pass for something else.
function clientNameProblem(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') return 'client_name must be a non-empty string';
    if (value.length > LIMITS.clientNameLength) return `client_name must be at most ${LIMITS.clientNameLength} characters`;
    // UTS #39 §3.1 / UTR #36 §2: invisible and reordering characters can make a name display as another one.
    if (DISGUISING_CHARACTER.test(value)) {
        return 'client_name must not contain control, format, invisible or bidirectional characters';
    }
    return undefined;
}

// RFC 7591 §2: grant_types / response_types, arrays of strings this AS supports.
function listProblem(value: unknown, supported: readonly string[], field: string): string | undefined {
    if (value === undefined) return undefined;
    const ok = Array.isArray(value) && value.every((entry) => typeof entry === 'string' && supported.includes(entry));
    return ok ? undefined : `${field} must be a list drawn from: ${supported.join(', ')}`;
}

// RFC 7591 §2: this AS registers public clients only; PKCE protects their codes (RFC 7636).
function authMethodProblem(value: unknown): string | undefined {
    if (value === undefined || value === 'none' || replacedAuthMethod(value) !== undefined) return undefined;
    return AUTH_METHOD_REFUSAL;
}

// RFC 7591 §3.2.1: the server may replace a requested value; a secret method becomes "none", and no secret is issued.
function replacedAuthMethod(value: unknown): SecretAuthMethod | undefined {
    return SECRET_AUTH_METHODS.find((method) => method === value);
}

// RFC 7591 §2: scope is a string; the AS decides per authorization request, so the value is not kept.
function scopeProblem(value: unknown): string | undefined {
    return value === undefined || typeof value === 'string' ? undefined : 'scope must be a string';
}
