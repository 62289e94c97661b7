/**
 * Request parameters read the strict way, for the query of /authorize and the
 * form bodies of /token and /authorize/decision.
 *
 * RFC 6749 §3.1 / §3.2: "Request and response parameters MUST NOT be included
 * more than once", and a parameter sent without a value is treated as
 * omitted. A repeated parameter is never resolved by "take the first": the
 * caller asks `repeatedNames()` and refuses the request. Percent-encoding
 * that does not decode (`%zz`) makes the whole input malformed rather than
 * being passed on literally.
 */

export class Params {
    readonly #values: Map<string, string[]>;
    /** True when the raw input had percent-encoding that does not decode. */
    readonly malformed: boolean;

    private constructor(raw: string) {
        this.malformed = hasBrokenPercentEncoding(raw);
        this.#values = new Map();
        for (const [name, value] of new URLSearchParams(raw)) {
            const values = this.#values.get(name) ?? [];
            values.push(value);
            this.#values.set(name, values);
        }
    }

    /** Parameters of a request URL's query (`/authorize?…`); absolute-form request targets work too. */
    static fromRequestUrl(url: string): Params {
        const queryStart = url.indexOf('?');
        return new Params(queryStart === -1 ? '' : url.slice(queryStart + 1));
    }

    /** Parameters of an `application/x-www-form-urlencoded` body. */
    static fromForm(body: string): Params {
        return new Params(body);
    }

    /** The parameter's one value; undefined when absent or empty (RFC 6749 §3.1). */
    get(name: string): string | undefined {
        const values = this.#values.get(name);
        return values && values[0] !== '' ? values[0] : undefined;
    }

    isRepeated(name: string): boolean {
        return (this.#values.get(name)?.length ?? 0) > 1;
    }

    /** Whether any parameter appears more than once. */
    hasRepeatedNames(): boolean {
        for (const values of this.#values.values()) if (values.length > 1) return true;
        return false;
    }
}

/** `%` not followed by two hex digits: input a strict decoder rejects. */
function hasBrokenPercentEncoding(raw: string): boolean {
    return /%(?![0-9A-Fa-f]{2})/.test(raw);
}
