/**
 * A scripted browser for MCP clients that open the consent URL themselves
 * (mcp-remote, through the `open` package, which runs the `BROWSER` command).
 * Given the authorization URL it does what a person's browser does: load the
 * consent page keeping its cookie, submit the CSRF-bound form with Approve,
 * and follow the redirect to the client's callback. It records each visit as
 * one JSON line in $SCRIPTED_BROWSER_LOG, so the test can see what the client
 * asked for and what its callback answered.
 *
 * With $SCRIPTED_BROWSER_ISS set, it replaces `iss` on the callback URL with
 * that value before following it — the mix-up a client must refuse (RFC 9207).
 * With $SCRIPTED_BROWSER_DROP_ISS=1 it removes `iss` from the callback URL
 * instead: an AS that advertises `authorization_response_iss_parameter_supported`
 * always sends it, so a client must refuse a response without it (RFC 9207 §2.4).
 *
 *   node --import tsx e2e/scripted-browser.ts <authorization URL>
 */
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { openConsent, submitDecision } from './as-flow.ts';

/** What one visit saw; codes and tokens are never recorded. */
export interface BrowserVisit {
    authorizeUrl: string;
    consentStatus: number;
    decisionStatus?: number;
    /** The callback URL the AS redirected to, with `code` replaced by a label. */
    callbackUrl?: string;
    /** The `iss` the browser delivered to the callback (rewritten or removed when asked to; null: none). */
    deliveredIss?: string | null;
    callbackStatus?: number;
    callbackText?: string;
    problem?: string;
}

/** The `problem` of a visit whose callback URL nothing answered. */
export const CALLBACK_UNREACHABLE = 'nothing answered at the callback URL';

/** Reads the visits a run of this browser recorded. */
export function parseVisits(log: string): BrowserVisit[] {
    return log
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as BrowserVisit);
}

/** How long the scripted person looks at the consent page. */
const READING_TIME_MS = 1500;

/** What the browser does to `iss` on the way to the callback. */
type IssTampering = { rewrite: string } | { drop: true } | undefined;

function tamperingFromEnvironment(): IssTampering {
    if (process.env.SCRIPTED_BROWSER_DROP_ISS === '1') return { drop: true };
    const rewrite = process.env.SCRIPTED_BROWSER_ISS;
    return rewrite === undefined ? undefined : { rewrite };
}

async function visit(authorizeUrl: string, tampering: IssTampering): Promise<BrowserVisit> {
    const page = await openConsent(authorizeUrl);
    const seen: BrowserVisit = { authorizeUrl, consentStatus: page.response.status };
    if (page.response.status !== 200 || page.form.action === '') return { ...seen, problem: 'no consent form on the page' };
    // A person reads the page before approving. mcp-remote 0.15.1 races itself at a step-up (its 403 handler and
    // its 401 recovery both start a sign-in); a callback arriving within milliseconds of the page can hang it.
    await new Promise((resolveWait) => setTimeout(resolveWait, READING_TIME_MS));
    const decision = await submitDecision(new URL(authorizeUrl).origin, page, 'approve');
    const location = decision.headers.get('location');
    if (!location) return { ...seen, decisionStatus: decision.status, problem: 'the decision was not answered with a redirect' };
    const callback = new URL(location);
    if (tampering && 'rewrite' in tampering) callback.searchParams.set('iss', tampering.rewrite);
    if (tampering && 'drop' in tampering) callback.searchParams.delete('iss');
    const recorded = new URL(callback);
    if (recorded.searchParams.has('code')) recorded.searchParams.set('code', '<code>');
    // A client that closed its callback listener before this authorization finished: nothing answers there.
    const delivered = await fetch(callback, { redirect: 'manual' }).catch(() => undefined);
    if (!delivered) return { ...seen, decisionStatus: decision.status, callbackUrl: recorded.href, deliveredIss: callback.searchParams.get('iss'), problem: CALLBACK_UNREACHABLE };
    return {
        ...seen,
        decisionStatus: decision.status,
        callbackUrl: recorded.href,
        deliveredIss: callback.searchParams.get('iss'),
        callbackStatus: delivered.status,
        callbackText: (await delivered.text()).slice(0, 2000)
    };
}

async function main(): Promise<void> {
    const [url] = process.argv.slice(2);
    const log = process.env.SCRIPTED_BROWSER_LOG;
    if (!url || !log) throw new Error('usage: SCRIPTED_BROWSER_LOG=<file> scripted-browser.ts <url>');
    let record: BrowserVisit;
    try {
        record = await visit(url, tamperingFromEnvironment());
    } catch (error) {
        record = { authorizeUrl: url, consentStatus: 0, problem: error instanceof Error ? error.message : String(error) };
    }
    appendFileSync(log, `${JSON.stringify(record)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
