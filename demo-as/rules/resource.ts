/**
 * The `resource` parameter (RFC 8707): which protected resource the access
 * token is for. It becomes the token's `aud`, and the resource server refuses
 * tokens whose `aud` is not its own URL, so a token for one server cannot be
 * replayed at another. This AS requires it on every authorization request.
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
