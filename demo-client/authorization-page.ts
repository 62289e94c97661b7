/**
 * What an authorization server put in front of the headless user agent, and
 * whether it can answer it. It can answer exactly one thing: a consent form it
 * understands (consent-form.ts) — the one a person would approve. A sign-in
 * form, a consent page of another shape, an error page or a redirect to
 * another site needs a person, so the agent stops with one line that says what
 * the server showed and what to do instead, rather than guessing.
 */
import { ConsentPageError, parseAttributes, parseConsentForm, type ConsentForm } from './consent-form.ts';
import { quoteUntrusted } from './plain-text.ts';

/** A page or redirect the headless user agent cannot answer as the user; its message is the whole explanation. */
export class HeadlessConsentError extends Error {}

/** The second half of every "cannot answer" line: how a person takes over. */
export const WHAT_TO_DO = 'only a person can answer it — run again with --interactive on a machine with a display, and sign in and consent in the browser it opens';

/** A password field means a sign-in form: credentials are the user's to type, never the client's. */
const hasPasswordField = (html: string) => [...html.matchAll(/<input\b([^>]*)>/gi)].some((match) => parseAttributes(match[1]!).get('type')?.toLowerCase() === 'password');

/** The page's `<title>`, as untrusted text: the server chose it. */
function titleOf(html: string): string | undefined {
    const title = /<title\b[^>]*>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
    return title ? quoteUntrusted(title, 60) : undefined;
}

/** The consent form on `html`, or a HeadlessConsentError naming what the page is instead. */
export function consentFormOrStop(html: string): ConsentForm {
    if (hasPasswordField(html)) throw new HeadlessConsentError(`the authorization server showed a sign-in page (a form asking for a password); ${WHAT_TO_DO}`);
    try {
        return parseConsentForm(html);
    } catch (error) {
        if (!(error instanceof ConsentPageError)) throw error;
        const title = titleOf(html);
        throw new HeadlessConsentError(`the authorization server showed a page that is not a consent form this client understands${title ? ` (titled ${title})` : ''}; ${WHAT_TO_DO}`);
    }
}

/** A redirect to another site (an external sign-in, a federation hop): the agent does not follow it. */
export function anotherSiteError(): HeadlessConsentError {
    return new HeadlessConsentError(`the authorization server sent the browser to another site (to sign in there, most likely); ${WHAT_TO_DO}`);
}
