/**
 * Authorization requests waiting for the person at the browser to decide.
 *
 * Each consent page is bound to one pending request by two secrets: the
 * request id in the page's hidden form field, and a cookie set with the page
 * (HttpOnly, SameSite=Strict, Path=/authorize). A decision must present both,
 * so a page another site forges, or a request id copied out of the browser,
 * is useless (RFC 6749 §10.12, CSRF). A request is taken out of the store by
 * the first decision that names it, so it can be answered at most once, and
 * it expires after --consent-ttl. At most CAPS.pendingConsents wait at once;
 * beyond that the oldest is dropped and its page answers with an error.
 */
import { CAPS } from '../policy.ts';
import { digest, newSecret } from '../secrets.ts';
import type { AuthorizationRequest } from '../rules/authorization-request.ts';
import { BoundedStore, type Clock } from './bounded-store.ts';

export interface PendingConsent {
    request: AuthorizationRequest;
    /** Digest of the cookie value that was set with the consent page. */
    cookieDigest: string;
}

export interface OpenedConsent {
    /** Goes into the page's hidden `request_id` input. */
    requestId: string;
    /** Goes into the consent cookie. */
    cookieValue: string;
}

export class PendingConsents {
    readonly #store: BoundedStore<PendingConsent>;

    constructor(ttlSeconds: number, now?: Clock) {
        this.#store = new BoundedStore({ maxEntries: CAPS.pendingConsents, ttlMs: ttlSeconds * 1000, now });
    }

    open(request: AuthorizationRequest): OpenedConsent {
        const requestId = newSecret();
        const cookieValue = newSecret();
        this.#store.put(digest(requestId), { request, cookieDigest: digest(cookieValue) });
        return { requestId, cookieValue };
    }

    /** Removes and returns the pending request: whatever happens next, it cannot be answered again. */
    take(requestId: string): PendingConsent | undefined {
        return this.#store.take(digest(requestId));
    }
}
