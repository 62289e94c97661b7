/**
 * How far step-up may go for one tool call (SEP-2350), and what to say when
 * it stops.
 *
 * `--max-step-up-retries <n>` counts step-ups per call — each re-authorization
 * caused by a 403 insufficient_scope, whether the SDK finished it with a
 * refresh inside one send or the host finished it with a callback and a
 * retry. The SDK's `maxStepUpRetries` bounds one send only, so the host gives
 * each attempt what is left of the budget; with nothing left the attempt runs
 * with `onInsufficientScope: 'throw'` and the next 403 ends the call with the
 * challenge's details. `0` therefore means "step-up off", and says so.
 */
import { isStrictScopeSuperset } from '@modelcontextprotocol/client';
import { showScope, showUrl } from './plain-text.ts';

export interface StepUpPolicy {
    /** False with --no-step-up. */
    enabled: boolean;
    /** --max-step-up-retries. */
    maxStepUps: number;
}

/** Transport options for an attempt after `used` step-ups in the same call. */
export function stepUpOptionsFor(policy: StepUpPolicy, used: number): { onInsufficientScope: 'reauthorize' | 'throw'; maxStepUpRetries: number } {
    const left = policy.enabled ? Math.max(0, policy.maxStepUps - used) : 0;
    return left > 0 ? { onInsufficientScope: 'reauthorize', maxStepUpRetries: left } : { onInsufficientScope: 'throw', maxStepUpRetries: 0 };
}

export interface Refusal {
    tool: string;
    requiredScope?: string;
    resourceMetadataUrl?: URL;
    /** Step-ups this call already caused. */
    stepUps: number;
    /** The scope the held token was granted, if known. */
    grantedScope?: string;
}

/** The one line that ends a call refused with 403 insufficient_scope. */
export function refusalLine(policy: StepUpPolicy, refusal: Refusal): string {
    const needs = `${refusal.tool} needs ${showScope(refusal.requiredScope)}`;
    const metadata = `resource metadata ${showUrl(refusal.resourceMetadataUrl)}`;
    if (!policy.enabled) return `${refusal.tool} refused: 403 insufficient_scope, required scope ${showScope(refusal.requiredScope)}, ${metadata} (step-up is off: --no-step-up)`;
    if (policy.maxStepUps === 0) return `step-up disabled by --max-step-up-retries 0: ${needs} (${metadata})`;
    const plural = refusal.stepUps === 1 ? 'step-up' : 'step-ups';
    const why = isStrictScopeSuperset(refusal.requiredScope, refusal.grantedScope)
        ? `the authorization server did not grant it (the token holds ${showScope(refusal.grantedScope)})`
        : 'the resource still refuses the token';
    return `${needs}: still 403 insufficient_scope after ${refusal.stepUps} ${plural}; ${why}. Stopped at the retry cap (--max-step-up-retries ${policy.maxStepUps}).`;
}
