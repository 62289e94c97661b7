/**
 * Reading an `application/x-www-form-urlencoded` body (RFC 6749 §3.2 for
 * /token; the consent form for /authorize/decision). The body parser in app.ts
 * has already read it as text within LIMITS.formBody; this file decides
 * whether the request was a form at all and hands back strict Params.
 */
import type { Request } from 'express';
import { Params } from './params.ts';

export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** The form's parameters, or undefined if the request does not declare a form body. */
export function readForm(req: Request): Params | undefined {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType !== FORM_MEDIA_TYPE) return undefined;
    return Params.fromForm(typeof req.body === 'string' ? req.body : '');
}
