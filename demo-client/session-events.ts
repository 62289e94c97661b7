/**
 * The seam between the OAuth flow and those who watch it: every event the
 * session reports, as plain data. The flow (session.ts, authorizer.ts,
 * callback-listener.ts, http-observer.ts) emits them; the narration
 * (narrator.ts), the story's summary (commands/story.ts) and the trace
 * (trace/recorder.ts) read them. This module imports no module of either
 * side but the observer's own event type, so a reader follows the flow one
 * way: the flow at the bottom, what observes it above, through here.
 */
import type { ObservedEvent } from './http-observer.ts';
import type { ClientAuthMethod } from './pre-registered-client.ts';
import type { StepUpPolicy } from './step-up-policy.ts';

/** What the headless user agent did: submitted Approve, or was sent straight back without a consent page. */
export type ConsentEvent = { kind: 'headless-approved' } | { kind: 'headless-redirected' };

export type SessionEvent =
    | Exclude<ObservedEvent, { kind: 'challenge' }>
    | (Extract<ObservedEvent, { kind: 'challenge' }> & { tool?: string })
    | ConsentEvent
    | { kind: 'callback-port-changed'; previous: number; now: number }
    /** `--client-id`: the administrator's client is used at `issuer`; nothing is registered (RFC 7591). */
    | { kind: 'client-pre-registered'; issuer: string; clientId: string; method: ClientAuthMethod }
    | { kind: 'authorization-started'; scope?: string; heldScope?: string; stepUp: boolean }
    | { kind: 'callback-accepted' }
    /** `repeated`: a callback was turned away for this reason before (the narration says it once). */
    | { kind: 'callback-rejected'; reason: string; repeated: boolean }
    /** When the listener closes: how many callbacks after the first each reason turned away. */
    | { kind: 'callback-rejections-repeated'; reason: string; count: number }
    /** RFC 9207 §2.4: the SDK compared `iss` with the issuer of the metadata discovery found. */
    | { kind: 'issuer-verified'; issuer: string; issPresent: boolean }
    /** No authorization server metadata was found: the SDK had no issuer to compare `iss` with, and checked nothing. */
    | { kind: 'issuer-unchecked'; issPresent: boolean }
    /** `received` is attacker-controlled (RFC 9207 §2.4): describe how it differs, never show it. */
    | { kind: 'issuer-refused'; expected?: string; received?: string }
    | { kind: 'step-up-stopped'; tool: string; stepUps: number; policy: StepUpPolicy };
