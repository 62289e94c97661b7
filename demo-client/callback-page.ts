/**
 * The two pages the callback listener shows the browser. They are static on
 * purpose: nothing from the callback's query (code, state, iss, error text)
 * is ever written into them, so an attacker who controls that query controls
 * nothing the user sees (SEP-2468: on an iss mismatch, error text MUST NOT be
 * displayed).
 */

const page = (title: string, message: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto;">
<h1>${title}</h1>
<p>${message}</p>
</body>
</html>
`;

export const RECEIVED_PAGE = page('Authorization response received', 'The scoped-tools client has what it needs. Return to the terminal; you can close this tab.');

export const REJECTED_PAGE = page('Authorization response not accepted', 'The scoped-tools client was not expecting this response, so it ignored it. Return to the terminal.');

export const NOT_FOUND_PAGE = page('Not found', 'This listener only answers the authorization callback.');

/** Headers for every page: nothing cached, no script, no framing, no referrer carrying the code onwards. */
export const PAGE_HEADERS = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff'
} as const;
