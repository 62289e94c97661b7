/**
 * Short stable names for values a trace must never contain. The first access
 * token seen is `token#1` wherever it appears again — in the token response, in
 * an Authorization header, in a revocation request — so a reader can follow a
 * value through the run without the value itself ever being written.
 */

/** What a labelled value is; the label's prefix. */
export type LabelKind =
    | 'token'
    | 'refresh'
    | 'id-token'
    | 'code'
    | 'verifier'
    | 'challenge'
    | 'state'
    | 'cookie'
    | 'secret'
    | 'proof'
    | 'nonce'
    | 'client'
    | 'session'
    | 'value';

export class Labels {
    private readonly byValue = new Map<string, string>();
    private readonly counts = new Map<LabelKind, number>();

    /** The label of `value`: the one it already has (whatever kind first named it), or the next `kind#n`. */
    of(kind: LabelKind, value: string): string {
        const known = this.byValue.get(value);
        if (known) return known;
        const n = (this.counts.get(kind) ?? 0) + 1;
        this.counts.set(kind, n);
        const label = `${kind}#${n}`;
        this.byValue.set(value, label);
        return label;
    }
}
