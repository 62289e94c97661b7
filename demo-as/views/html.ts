/**
 * HTML that escapes by default. Every value interpolated into an `html`
 * template is escaped unless it is itself the result of `html`, so a
 * client-supplied string (client_name, a URI, a scope) can only ever appear
 * as text, never as markup (OWASP XSS prevention, rule 1).
 */

export class SafeHtml {
    constructor(readonly markup: string) {}
}

type Interpolation = string | number | SafeHtml | readonly SafeHtml[];

function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
    let markup = strings[0];
    values.forEach((value, index) => {
        markup += render(value) + strings[index + 1];
    });
    return new SafeHtml(markup);
}

function render(value: Interpolation): string {
    if (value instanceof SafeHtml) return value.markup;
    if (Array.isArray(value)) return value.map((part: SafeHtml) => part.markup).join('');
    return escapeHtml(String(value));
}
