/**
 * The headless user agent: with no display (or --headless, or CI) the client
 * plays the user, doing exactly what a browser does — load the authorization
 * server's pages (keeping their cookies, following its redirects within its
 * own origin), submit a consent form's hidden inputs with decision=approve,
 * and follow the authorization response, but only to this client's own
 * callback listener. It never reads `code`, `state` or `iss` itself; the
 * listener and the SDK do. A page it cannot answer as the user (a sign-in
 * form, anything that is not a consent form it understands, a redirect to
 * another site) ends the authorization with one line (authorization-page.ts).
 */
import { anotherSiteError, consentFormOrStop, HeadlessConsentError, WHAT_TO_DO } from './authorization-page.ts';

export { HeadlessConsentError } from './authorization-page.ts';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** An authorization server's own page-to-page redirects (authorize → sign-in → consent) are few. */
const MAX_REDIRECTS = 5;

/** Parameters only an authorization response carries (RFC 6749 §4.1.2, RFC 9207): such a redirect goes to the callback or nowhere. */
const RESPONSE_PARAMETERS = ['code', 'state', 'iss', 'error'];

/** Whether `location` points at the callback listener itself (same origin, same path). */
function isOwnCallback(location: URL, callback: URL): boolean {
    return location.origin === callback.origin && location.pathname === callback.pathname;
}

/** Where a chain of redirects ended: at this client's callback, or on a page of the authorization server. */
type Landing = { kind: 'callback'; url: URL } | { kind: 'page'; response: Response; url: URL };

export class HeadlessUserAgent {
    /** `name=value` per cookie the authorization server set, sent back to it as a browser would. */
    private readonly cookies = new Map<string, string>();

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
        const shown = await this.land(await this.request(authorizationUrl), authorizationUrl);
        if (shown.kind === 'callback') {
            onDecision(false);
            return this.deliver(shown.url);
        }
        const { response: page, url: pageUrl } = shown;
        const type = page.headers.get('content-type') ?? '';
        if (page.status !== 200 || !type.startsWith('text/html')) {
            await page.body?.cancel();
            const answer = page.status === 200 ? `a ${/json/i.test(type) ? 'JSON document' : 'document that is not a page'} (HTTP 200)` : `HTTP ${page.status}`;
            throw new HeadlessConsentError(`the authorization server answered /authorize with ${answer} instead of a consent page; ${WHAT_TO_DO}`);
        }
        const form = consentFormOrStop(await page.text());
        const target = new URL(form.action, pageUrl);
        // Submit only to the server that served the page, as a same-origin form post would.
        if (target.origin !== pageUrl.origin) throw new HeadlessConsentError('the consent form posts to another origin; not submitting it');
        const decision = await this.request(target, new URLSearchParams([...form.fields, form.approve]));
        if (!REDIRECT_STATUSES.has(decision.status)) {
            await decision.body?.cancel();
            throw new HeadlessConsentError(`the consent decision was answered with HTTP ${decision.status} instead of a redirect`);
        }
        const after = await this.land(decision, target);
        if (after.kind === 'page') {
            consentFormOrStop(await after.response.text());
            throw new HeadlessConsentError(`the authorization server showed another consent form after Approve; ${WHAT_TO_DO}`);
        }
        onDecision(true);
        return this.deliver(after.url);
    }

    /** One request as the browser would make it: no automatic redirects, the server's cookies attached. */
    private async request(url: URL, form?: URLSearchParams): Promise<Response> {
        const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
        const response = await fetch(url, {
            method: form ? 'POST' : 'GET',
            redirect: 'manual',
            signal: this.signal,
            headers: { ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(cookie ? { cookie } : {}) },
            ...(form ? { body: form } : {})
        });
        for (const line of response.headers.getSetCookie()) {
            const pair = line.split(';')[0]!.trim();
            const at = pair.indexOf('=');
            if (at > 0) this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
        }
        return response;
    }

    /**
     * Follows the authorization server's redirects between its own pages; stops at this client's callback
     * (without requesting it) or at a page. An authorization response bound anywhere but the callback, and
     * any hop to another site, is not followed.
     */
    private async land(response: Response, base: URL): Promise<Landing> {
        const callback = new URL(this.callbackUrl);
        for (let hops = 0; REDIRECT_STATUSES.has(response.status); hops++) {
            await response.body?.cancel();
            const location = response.headers.get('location');
            const target = location !== null && URL.canParse(location, base) ? new URL(location, base) : undefined;
            if (target && isOwnCallback(target, callback)) return { kind: 'callback', url: target };
            const carriesResponse = target !== undefined && RESPONSE_PARAMETERS.some((name) => target.searchParams.has(name));
            if (!target || carriesResponse) throw new HeadlessConsentError("the authorization server redirected somewhere other than this client's callback; not following");
            if (hops === MAX_REDIRECTS) throw new HeadlessConsentError(`the authorization server redirected more than ${MAX_REDIRECTS} times without showing a page; not following`);
            if (target.origin !== base.origin) throw anotherSiteError();
            response = await this.request(target);
            base = target;
        }
        return { kind: 'page', response, url: base };
    }

    private async deliver(target: URL): Promise<void> {
        const delivered = await fetch(target, { redirect: 'manual', signal: this.signal });
        await delivered.body?.cancel();
        if (delivered.status !== 200) throw new HeadlessConsentError('the callback listener did not accept the authorization response');
    }
}
