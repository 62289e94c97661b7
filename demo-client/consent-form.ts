/**
 * Reading the consent page the way a browser would see its form: the one
 * `<form method="post">`, its hidden inputs, and its Approve button. The
 * headless user agent submits exactly what a person clicking Approve would
 * submit — nothing invented, nothing left out.
 */

export class ConsentPageError extends Error {}

export interface ConsentForm {
    /** The form's `action` as written in the page (resolve it against the page URL). */
    action: string;
    /** Every hidden input, in page order, decoded. */
    fields: Array<[string, string]>;
    /** The `name`/`value` of the Approve submit button. */
    approve: [string, string];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** Decodes the character references an attribute value may carry (named basics, decimal, hex). */
export function decodeEntities(value: string): string {
    return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
        if (/^#x/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
        if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
        return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/** The attributes of one start tag's attribute text, names lower-cased, values decoded. */
export function parseAttributes(text: string): Map<string, string> {
    const attributes = new Map<string, string>();
    for (const match of text.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
        const name = match[1]!.toLowerCase();
        if (!attributes.has(name)) attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
    }
    return attributes;
}

const startTags = (html: string, tag: string) => [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'gi'))].map((m) => ({ index: m.index, attributes: parseAttributes(m[1]!) }));

/** Finds the single POST form and what Approve would submit; anything else is a ConsentPageError. */
export function parseConsentForm(html: string): ConsentForm {
    const forms = startTags(html, 'form').filter((form) => form.attributes.get('method')?.toLowerCase() === 'post');
    if (forms.length !== 1) throw new ConsentPageError(`expected one POST form on the consent page, found ${forms.length}`);
    const form = forms[0]!;
    const end = html.toLowerCase().indexOf('</form>', form.index);
    const body = html.slice(form.index, end === -1 ? html.length : end);
    const action = form.attributes.get('action');
    if (!action) throw new ConsentPageError('the consent form has no action');
    const fields = startTags(body, 'input')
        .filter((input) => input.attributes.get('type')?.toLowerCase() === 'hidden' && input.attributes.has('name'))
        .map((input): [string, string] => [input.attributes.get('name')!, input.attributes.get('value') ?? '']);
    const approve = startTags(body, 'button').find(
        (button) => (button.attributes.get('type') ?? 'submit').toLowerCase() === 'submit' && button.attributes.get('value') === 'approve' && button.attributes.has('name')
    );
    if (!approve) throw new ConsentPageError('the consent form has no Approve button');
    return { action, fields, approve: [approve.attributes.get('name')!, 'approve'] };
}
