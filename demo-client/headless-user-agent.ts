/**
 * The headless user agent: with no display (or --headless, or CI) the client
 * plays the user, doing exactly what a browser does — load the consent page,
 * keep its cookie, submit the form's hidden inputs with decision=approve, and
 * follow the redirect, but only to this client's own callback listener. It
 * never reads `code`, `state` or `iss` itself; the listener and the SDK do.
 */
import { parseConsentForm } from './consent-form.ts';

export class HeadlessConsentError extends Error {}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** `name=value` of each Set-Cookie, for the Cookie header of the form submission. */
function cookieHeader(response: Response): string {
    return response.headers
        .getSetCookie()
        .map((line) => line.split(';')[0]!.trim())
        .filter((pair) => pair.includes('='))
        .join('; ');
}

/** Whether `location` points at the callback listener itself (same origin, same path). */
function isOwnCallback(location: URL, callback: URL): boolean {
    return location.origin === callback.origin && location.pathname === callback.pathname;
}

export class HeadlessUserAgent {
    constructor(
        private readonly callbackUrl: string,
        private readonly signal: AbortSignal
    ) {}

    /**
     * Approves the authorization at `authorizationUrl` and delivers the response to the callback
     * listener; `onDecision(true)` once Approve was submitted, `onDecision(false)` when the server
     * redirected straight back without showing a consent page.
     */
    async approve(authorizationUrl: URL, onDecision: (approved: boolean) => void): Promise<void> {
        const page = await fetch(authorizationUrl, { redirect: 'manual', signal: this.signal });
        if (REDIRECT_STATUSES.has(page.status)) {
            onDecision(false);
            return this.followToCallback(page, authorizationUrl);
        }
        const type = page.headers.get('content-type') ?? '';
        if (page.status !== 200 || !type.startsWith('text/html')) {
            throw new HeadlessConsentError(`the authorization server answered /authorize with HTTP ${page.status} instead of a consent page`);
        }
        const form = parseConsentForm(await page.text());
        const target = new URL(form.action, authorizationUrl);
        // Submit only to the server that served the page, as a same-origin form post would.
        if (target.origin !== authorizationUrl.origin) throw new HeadlessConsentError('the consent form posts to another origin; not submitting it');
        const body = new URLSearchParams([...form.fields, form.approve]);
        const cookie = cookieHeader(page);
        const decision = await fetch(target, {
            method: 'POST',
            redirect: 'manual',
            signal: this.signal,
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
            body
        });
        if (!REDIRECT_STATUSES.has(decision.status)) {
            throw new HeadlessConsentError(`the consent decision was answered with HTTP ${decision.status} instead of a redirect`);
        }
        onDecision(true);
        return this.followToCallback(decision, target);
    }

    private async followToCallback(response: Response, base: URL): Promise<void> {
        await response.body?.cancel();
        const location = response.headers.get('location');
        const callback = new URL(this.callbackUrl);
        const target = location === null ? undefined : URL.canParse(location, base) ? new URL(location, base) : undefined;
        if (!target || !isOwnCallback(target, callback)) {
            throw new HeadlessConsentError("the authorization server redirected somewhere other than this client's callback; not following");
        }
        const delivered = await fetch(target, { redirect: 'manual', signal: this.signal });
        await delivered.body?.cancel();
        if (delivered.status !== 200) throw new HeadlessConsentError('the callback listener did not accept the authorization response');
    }
}
