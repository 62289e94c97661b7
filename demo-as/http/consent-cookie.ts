/**
 * The cookie that binds a consent page to the browser that loaded it
 * (stores/pending-consents.ts explains the binding). HttpOnly so no script
 * can read it, SameSite=Strict so no other site's form post carries it,
 * Path=/authorize so no other endpoint ever sees it. It cannot be Secure or
 * __Host- prefixed, because the demo runs over plain http on loopback.
 */
import type { Request, Response } from 'express';
import { digest, sameDigest } from '../secrets.ts';

export const CONSENT_COOKIE = 'demo_as_consent';
const COOKIE_OPTIONS = { httpOnly: true, sameSite: 'strict', path: '/authorize' } as const;

export function setConsentCookie(res: Response, value: string, ttlSeconds: number): void {
    res.cookie(CONSENT_COOKIE, value, { ...COOKIE_OPTIONS, maxAge: ttlSeconds * 1000 });
}

export function clearConsentCookie(res: Response): void {
    res.clearCookie(CONSENT_COOKIE, COOKIE_OPTIONS);
}

/**
 * Whether the request carries a consent cookie whose value has `expectedDigest`.
 * Any matching value counts: cookies for 127.0.0.1 are shared by every port,
 * so another local app may add a same-named cookie, which must not lock the
 * person out, and cannot help it either.
 */
export function carriesConsentCookie(req: Request, expectedDigest: string): boolean {
    return consentCookieValues(req).some((value) => sameDigest(digest(value), expectedDigest));
}

function consentCookieValues(req: Request): string[] {
    const header = req.headers.cookie ?? '';
    return header
        .split(';')
        .map((pair) => pair.trim().split('='))
        .filter(([name, value]) => name === CONSENT_COOKIE && value !== undefined)
        .map(([, value]) => value);
}
