/**
 * The error page shown instead of a redirect when the AS cannot trust where
 * a redirect would go (RFC 6749 §4.1.2.1), or when a consent decision is
 * refused. It says what happened in plain words and shows the error code;
 * it repeats nothing from the request.
 */
import type { PageError } from '../rules/authorization-request.ts';
import { html } from './html.ts';
import { renderPage } from './page.ts';

const EXPLANATIONS: Record<PageError, { title: string; text: string }> = {
    invalid_client: {
        title: 'This application is not registered here',
        text: 'The link that brought you here names an application this server does not know, or one it has since forgotten. Start again from the application.'
    },
    invalid_redirect_uri: {
        title: 'The return address does not match',
        text: 'The application asked to send you back to an address it did not register. To protect you, this server will not send you there.'
    },
    invalid_request: {
        title: 'This request cannot be read',
        text: 'The request repeats a parameter, is not encoded correctly, or is not a form this server sent, so it cannot tell what was asked.'
    },
    invalid_consent: {
        title: 'This approval form is no longer valid',
        text: 'It was already answered, it expired, it was opened in a different browser, or it did not come from this server. Nothing was approved. Start again from the application.'
    }
};

export function renderErrorPage(issuerHost: string, error: PageError): string {
    const { title, text } = EXPLANATIONS[error];
    const body = html`<h1>${title}</h1>
<p>${text}</p>
<p class="note">Nothing was sent to the application. You can close this tab.</p>
<p class="note error-code">Error code: <code>${error}</code></p>`;
    return renderPage(title, issuerHost, body);
}
