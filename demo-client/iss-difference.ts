/**
 * The one description of a refused `iss`, shared by the failure line
 * (failures.ts) and the trace's note (trace/recorder.ts) so the two agree.
 */

/**
 * How the received `iss` differs from the expected issuer, without repeating it: its value is
 * attacker-controlled in a mix-up (RFC 9207 §2.4) and MUST NOT be displayed (SEP-2468).
 */
export function describeIssDifference(expected: string | undefined, received: string | undefined): string {
    if (received === undefined) return 'iss is missing, though the authorization server advertises authorization_response_iss_parameter_supported';
    if (expected !== undefined && (received === `${expected}/` || `${received}/` === expected)) return 'iss differs from the expected issuer by a trailing slash';
    if (expected !== undefined && received.toLowerCase() === expected.toLowerCase()) return 'iss differs from the expected issuer in letter case';
    return 'iss names a different issuer';
}
