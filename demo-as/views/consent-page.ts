/**
 * The consent page: what a person sees before anything is granted. It names
 * the application (and says that the name is self-asserted), what it will be
 * able to do, which requested scope will not be granted, which server the
 * access is for, and where the browser goes afterwards. At a step-up it also
 * marks which scopes the application already holds for this server and which
 * ones approving would add (on a first consent every scope is new, so there
 * are no marks). Every value that came from the client is escaped by the
 * `html` template.
 *
 * Contract: exactly one form posting to /authorize/decision, hidden inputs
 * only, and two submit buttons named `decision` (approve / deny).
 */
import { html, type SafeHtml } from './html.ts';
import { renderPage } from './page.ts';
import { scopeMeaning } from '../rules/scope.ts';

export interface ConsentView {
    issuerHost: string;
    clientName: string | undefined;
    clientId: string;
    redirectUri: string;
    resource: string;
    requestedScopes: readonly string[];
    grantedScopes: readonly string[];
    /** Requested scopes the AS's own records say this client already holds for this resource. */
    alreadyAllowedScopes: readonly string[];
    requestId: string;
    expiresInSeconds: number;
}

export function renderConsentPage(view: ConsentView): string {
    const name = view.clientName ?? 'An unnamed application';
    const body = html`<h1>Allow <span class="client-name">${name}</span> to use your files?</h1>
<p>It is asking for access to <span class="value">${view.resource}</span> on your behalf.</p>
<h2>It asks to</h2>
${stepUpNote(view)}<ul class="scopes">
${view.requestedScopes.map((scope) => scopeItem(scope, view))}</ul>
<dl>
<dt>Afterwards you return to</dt><dd class="value">${new URL(view.redirectUri).host}</dd>
<dt>Application ID</dt><dd class="value">${view.clientId}</dd>
</dl>
<p class="note">The name above is what the application says about itself; this server has not checked it.
Approve only if you just started this application yourself. This request expires in ${describeSeconds(view.expiresInSeconds)}.</p>
<form method="post" action="/authorize/decision">
<input type="hidden" name="request_id" value="${view.requestId}">
<div class="actions">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="approve">Approve</button>
</div>
</form>`;
    return renderPage(`Allow ${name}?`, view.issuerHost, body);
}

function stepUpNote(view: ConsentView): SafeHtml {
    if (view.alreadyAllowedScopes.length === 0) return html``;
    return html`<p class="note">This application already holds some of these for this server; approving adds only the ones marked New.</p>\n`;
}

function scopeItem(scope: string, view: ConsentView): SafeHtml {
    if (!view.grantedScopes.includes(scope)) {
        return html`<li class="refused"><span class="scope-name">${scope}</span>${scopeMeaning(scope)}
<span class="verdict">Will not be granted: this server never grants this scope, even if you approve.</span></li>\n`;
    }
    // A first consent has nothing to compare with, so it carries no marks at all.
    if (view.alreadyAllowedScopes.length === 0) return html`<li><span class="scope-name">${scope}</span>${scopeMeaning(scope)}</li>\n`;
    if (view.alreadyAllowedScopes.includes(scope)) {
        return html`<li class="held"><span class="scope-name">${scope}</span>${scopeMeaning(scope)}
<span class="mark">Already allowed</span></li>\n`;
    }
    return html`<li class="new"><span class="scope-name">${scope}</span>${scopeMeaning(scope)}
<span class="mark">New</span></li>\n`;
}

function describeSeconds(seconds: number): string {
    if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
    return seconds === 1 ? '1 second' : `${seconds} seconds`;
}
