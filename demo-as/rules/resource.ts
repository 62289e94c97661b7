/**
 * The `resource` parameter (RFC 8707): which protected resource the access
 * token is for. It becomes the token's `aud`, and the resource server refuses
 * tokens whose `aud` is not its own URL, so a token for one server cannot be
 * replayed at another. This AS requires it on every authorization request.
 *
 * `--resource <url>` (repeatable) names the only resources this AS issues
 * tokens for; without it, any acceptable resource URL is served.
 */
import { LIMITS } from '../policy.ts';

/** RFC 8707 §2: an absolute URI without a fragment; here also http(s), canonical, no userinfo, bounded. */
export function isAcceptableResource(value: string): boolean {
    if (value.length > LIMITS.resourceLength || !URL.canParse(value)) return false;
    const url = new URL(value);
    return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        url.username === '' &&
        url.password === '' &&
        !value.includes('#') &&
        url.href === value
    );
}

/** RFC 8707 §2: the AS may refuse a resource it does not serve (invalid_target); an empty list serves every acceptable one. */
export function isServedResource(value: string, servedResources: readonly string[]): boolean {
    return servedResources.length === 0 || servedResources.includes(value);
}
