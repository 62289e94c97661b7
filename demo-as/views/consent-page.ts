/**
 * The consent page: what a person sees before anything is granted. It names
 * the application (and says that the name is self-asserted), what it will be
 * able to do, which requested scope will not be granted, which server the
 * access is for, and where the browser goes afterwards. Every value that came
 * from the client is escaped by the `html` template.
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
    requestId: string;
    expiresInSeconds: number;
}

export function renderConsentPage(view: ConsentView): string {
    const name = view.clientName ?? 'An unnamed application';
    const body = html`<h1>Allow <span class="client-name">${name}</span> to use your files?</h1>
<p>It is asking for access to <span class="value">${view.resource}</span> on your behalf.</p>
<h2>It asks to</h2>
<ul class="scopes">
${view.requestedScopes.map((scope) => scopeItem(scope, view.grantedScopes.includes(scope)))}</ul>
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

function scopeItem(scope: string, granted: boolean): SafeHtml {
    if (granted) return html`<li><span class="scope-name">${scope}</span>${scopeMeaning(scope)}</li>\n`;
    return html`<li class="refused"><span class="scope-name">${scope}</span>${scopeMeaning(scope)}
<span class="verdict">Will not be granted: this server never grants this scope, even if you approve.</span></li>\n`;
}

function describeSeconds(seconds: number): string {
    if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
    return seconds === 1 ? '1 second' : `${seconds} seconds`;
}
