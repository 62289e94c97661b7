/**
 * The one rule the callback listener applies before it touches anything else
 * in an authorization response: it must answer the authorization this client
 * is waiting for, proven by `state` (RFC 6749 §10.12, CSRF). The SDK does not
 * check `state`; the host must, before calling `finishAuth`.
 */
import { timingSafeEqual } from 'node:crypto';

/** Parameters of an authorization response (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2). */
const RESPONSE_PARAMETERS = ['state', 'code', 'iss', 'error', 'error_description', 'error_uri'] as const;

export type CallbackVerdict = { accepted: true } | { accepted: false; reason: string };

const sameSecret = (a: string, b: string) => {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Accepts `params` only when `expectedState` is set (an authorization is pending) and `state`
 * appears exactly once with that value. A response parameter given twice is refused outright:
 * which copy a later reader picks is exactly the ambiguity an attacker wants.
 */
export function checkCallback(params: URLSearchParams, expectedState: string | undefined): CallbackVerdict {
    const repeated = RESPONSE_PARAMETERS.find((name) => params.getAll(name).length > 1);
    if (repeated) return { accepted: false, reason: `the parameter ${repeated} appears more than once` };
    if (expectedState === undefined) return { accepted: false, reason: 'no authorization is pending (a state is usable once)' };
    const state = params.get('state');
    if (state === null || state === '') return { accepted: false, reason: 'it carries no state' };
    if (!sameSecret(state, expectedState)) return { accepted: false, reason: 'its state does not match the pending authorization' };
    return { accepted: true };
}
