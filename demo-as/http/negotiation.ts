/**
 * Content negotiation for /authorize's refusals. A person's browser gets the
 * HTML error page; a program that says it wants JSON gets the OAuth error
 * object it can act on (mcp-remote registers again when it meets
 * invalid_client). Neither is ever a redirect.
 */
import type { Request, Response } from 'express';

/** True when the Accept header ranks JSON above HTML; a browser's `text/html,…,*\/*` and a missing header both mean HTML. */
export function prefersJson(req: Request, res: Response): boolean {
    res.vary('Accept');
    return req.accepts(['html', 'json']) === 'json';
}
