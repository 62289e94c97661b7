/**
 * The trace of one client run, in the order things happened: every HTTP
 * exchange the process made or received, and a note wherever a rule decided
 * what came next (the scope union, the refresh bypass, the retry cap, an `iss`
 * refusal). Exchanges arrive already described by facts.ts, so nothing here
 * ever holds a secret; session events add the notes and the marks on the
 * callback (`state ✓`, `iss ✓`) that only the client's own checks can give.
 * What it holds stays bounded when anyone floods the callback listener: a
 * request turned away as an earlier one was is folded into that one's count.
 */
import { describeIssDifference } from '../iss-difference.ts';
import { plainText, showIssuer, showScope } from '../plain-text.ts';
import type { SessionEvent } from '../session-events.ts';
import type { Actor } from './actor.ts';
import { Labels } from './labels.ts';
import type { FactContext } from './facts.ts';

/** One request and its response, placed where the request started (its number is its place). */
export interface Exchange {
    kind: 'exchange';
    from: Actor;
    /** The origin the request went to. */
    to: string;
    /** Received by this process's callback listener rather than sent by it. */
    incoming: boolean;
    method: string;
    path: string;
    request: string[];
    /** Undefined while the response is awaited, or when none came (`failure` says why). */
    status?: number;
    response: string[];
    failure?: string;
    /** What the client's own checks concluded about this exchange. */
    marks: string[];
    /** Received requests turned away the same way after this one, folded into it. */
    repeats: number;
}

export interface Note {
    kind: 'note';
    text: string;
}

export type Entry = Exchange | Note;

export type ExchangeRecord = Omit<Exchange, 'kind' | 'marks' | 'repeats'>;

export interface TraceSetting {
    /** The command as a reader would recognise it (`story`, `call list-files`); no arguments. */
    command: string;
    /** The resource server's MCP endpoint, when the command has one. */
    resource?: URL;
    /** Who plays the user: the client's headless agent, or the user's browser. */
    userAgent: 'headless' | 'browser';
}

export class TraceRecorder {
    readonly entries: Entry[] = [];
    readonly context: FactContext = { labels: new Labels(), issuers: new Set() };
    /** Origins of this process's callback listener: their exchanges are recorded as received, not as sent. */
    readonly callbackOrigins = new Set<string>();
    /** The last callback the listener accepted: the client's checks on it mark it. */
    private lastCallback?: Exchange;
    /** The first received request turned away in each way (method, status, the note it caused). */
    private readonly turnedAway = new Map<string, Exchange>();
    private challengedScope?: string;
    private afterInsufficientScope = false;

    constructor(readonly setting: TraceSetting) {}

    /**
     * Adds an exchange when its request starts (the caller fills in the response), so the order
     * is the order the process sent things in, not the order servers happened to answer.
     */
    record(exchange: ExchangeRecord): Exchange {
        const entry: Exchange = { kind: 'exchange', marks: [], repeats: 0, ...exchange };
        this.entries.push(entry);
        return entry;
    }

    /**
     * Called once a received request was answered. An accepted callback becomes the one the client's
     * checks mark. A request turned away exactly as an earlier one was (same method and status, same
     * note) is taken out, with its note, and counted on the earlier one: true when so folded. However
     * many bad callbacks arrive, the trace holds one arrow per way of turning them away.
     */
    folded(exchange: Exchange): boolean {
        if (exchange.status === 200) {
            this.lastCallback = exchange;
            return false;
        }
        const at = this.entries.indexOf(exchange);
        const next = this.entries[at + 1];
        const note = next?.kind === 'note' ? next : undefined;
        const key = `${exchange.method} ${exchange.status} ${note?.text ?? ''}`;
        const first = this.turnedAway.get(key);
        if (!first) {
            this.turnedAway.set(key, exchange);
            return false;
        }
        this.entries.splice(at, note ? 2 : 1);
        first.repeats++;
        return true;
    }

    get exchanges(): Exchange[] {
        return this.entries.filter((entry): entry is Exchange => entry.kind === 'exchange');
    }

    note(text: string): void {
        this.entries.push({ kind: 'note', text });
    }

    /** Turns what the session decided into notes and marks. */
    event(event: SessionEvent): void {
        switch (event.kind) {
            case 'challenge':
                if (event.status === 403 && event.error === 'insufficient_scope') {
                    this.challengedScope = event.scope;
                    this.afterInsufficientScope = true;
                }
                return;
            case 'client-pre-registered':
                // The client_id stays a label, as everywhere in the trace; the secret is never in an event.
                return this.note(`pre-registered client: nothing registered (RFC 7591); token endpoint authentication ${event.method}`);
            case 'authorization-started':
                return this.authorizationStarted(event);
            case 'callback-accepted':
                return void this.lastCallback?.marks.push('state ✓ matches the pending authorization');
            case 'callback-rejected':
                return this.note(`callback turned away: ${event.reason}`);
            case 'issuer-verified':
                return void this.lastCallback?.marks.push(event.issPresent ? 'iss ✓ the expected issuer' : 'no iss (not advertised)');
            case 'issuer-unchecked':
                return void this.lastCallback?.marks.push('iss not checked: no authorization server metadata, so no issuer to compare with');
            case 'issuer-refused':
                this.lastCallback?.marks.push('iss ✗');
                return this.note(
                    `iss refused (RFC 9207 §2.4): expected ${showIssuer(event.expected)}, ${describeIssDifference(event.expected, event.received)}. Nothing redeemed, no error text shown.`
                );
            case 'step-up-stopped':
                return this.note(stoppedNote(event));
            case 'token':
                return this.token(event);
        }
    }

    private authorizationStarted(event: Extract<SessionEvent, { kind: 'authorization-started' }>): void {
        if (event.stepUp) {
            this.note(`union (SEP-2350): held ${showScope(event.heldScope)} ∪ challenged ${showScope(this.challengedScope)} → asks for ${showScope(event.scope)}`);
            this.note('refresh bypassed: a refresh cannot widen scope (RFC 6749 §6), so a new authorization');
        }
        if (this.setting.userAgent === 'browser') this.note(`the browser shows the consent page for ${showScope(event.scope)}, and its requests to the AS are not seen by the client`);
        this.afterInsufficientScope = false;
    }

    private token(event: Extract<SessionEvent, { kind: 'token' }>): void {
        if (event.status === 200 && event.grantType === 'refresh_token' && this.afterInsufficientScope) {
            this.note('refresh, no consent: the held grant already covers the challenged scope');
        }
        this.afterInsufficientScope = false;
    }
}

function stoppedNote(event: Extract<SessionEvent, { kind: 'step-up-stopped' }>): string {
    const tool = plainText(event.tool, 40);
    if (!event.policy.enabled) return `no step-up (--no-step-up): ${tool} ends at the 403`;
    if (event.policy.maxStepUps === 0) return `no step-up (--max-step-up-retries 0): ${tool} ends at the 403`;
    const plural = event.stepUps === 1 ? 'step-up' : 'step-ups';
    return `retry cap: ${tool} still 403 after ${event.stepUps} ${plural} (--max-step-up-retries ${event.policy.maxStepUps}), stop`;
}
