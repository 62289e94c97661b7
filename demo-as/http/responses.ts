/**
 * How the AS answers: OAuth JSON errors, token responses, redirects back to a
 * client, and HTML pages with the headers that keep them from being framed,
 * cached or leaked through the Referer.
 */
import type { Response } from 'express';
import { STYLE_SOURCE } from '../views/page.ts';
import { logFacts } from './request-log.ts';

/** RFC 6749 §5.1: token responses and errors must not be cached. */
function forbidCaching(res: Response): void {
    res.set('Cache-Control', 'no-store');
    res.set('Pragma', 'no-cache');
}

/** RFC 6749 §5.2 / RFC 7591 §3.2.2: `{ error, error_description }`; the description is always the AS's own text. */
export function sendOAuthError(res: Response, status: number, error: string, description: string): void {
    logFacts(res).error = error;
    forbidCaching(res);
    res.status(status).json({ error, error_description: description });
}

export function sendJson(res: Response, status: number, body: object): void {
    forbidCaching(res);
    res.status(status).json(body);
}

/**
 * A 302 to a registered redirect URI with the response parameters appended
 * (RFC 6749 §4.1.2). The registered string is kept verbatim, so the callback
 * starts with exactly what the client registered.
 */
export function redirectToClient(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value);
    const separator = !redirectUri.includes('?') ? '?' : redirectUri.endsWith('?') ? '' : '&';
    forbidCaching(res);
    res.set('Referrer-Policy', 'no-referrer');
    res.status(302).set('Location', `${redirectUri}${separator}${query}`).end();
}

/**
 * An HTML page with the headers RFC 6749 §10.13 and RFC 9700 §4.16 call for:
 * no framing (CSP frame-ancestors + X-Frame-Options), no caching, no Referer,
 * and a CSP that allows nothing but the inline stylesheet and, for the
 * consent form, posting to this origin and following its redirect to the
 * client (`formTargets`: origins the form's response may redirect to).
 */
export function sendPage(res: Response, status: number, markup: string, formTargets: readonly string[] = []): void {
    const formAction = formTargets.length === 0 ? "'none'" : ["'self'", ...formTargets].join(' ');
    res.set(
        'Content-Security-Policy',
        `default-src 'none'; style-src ${STYLE_SOURCE}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`
    );
    res.set('X-Frame-Options', 'DENY');
    res.set('Referrer-Policy', 'no-referrer');
    forbidCaching(res);
    res.status(status).type('html').send(markup);
}
