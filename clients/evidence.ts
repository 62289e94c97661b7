/**
 * What one run of an adapter left on the wire, filed under the plan step
 * during which it happened: the AS's request-log lines, the RS's call-log
 * lines, the recording fetch's records and the person's visits, beside the
 * step line the adapter printed. Cells (cells.ts) are derived from this and
 * nothing else, so a fixture of it is enough to test them.
 */
import type { BrowserVisit } from '../e2e/scripted-browser.ts';
import type { FetchRecord } from './kit.ts';

export type { BrowserVisit, FetchRecord };

/** What the servers and the person saw, and the recording fetch recorded, in one stretch of a run. */
export interface Wire {
    as: string[];
    rs: string[];
    fetch: FetchRecord[];
    visits: BrowserVisit[];
}

export interface StepEvidence extends Wire {
    /** `connect`, `call:<tool>` or `pause`. */
    step: string;
    /** What the adapter reported; undefined for `pause` and for steps it never reached. */
    ok?: boolean;
    error?: string;
}

export interface RunEvidence {
    scenario: string;
    /** One entry per plan step the adapter reported, in order. */
    steps: StepEvidence[];
    /** What happened after the last step line (closing). */
    after: Wire;
    /** How the adapter process ended. */
    end: 'finished' | 'killed at the run timeout' | `exited with ${number}`;
    /** The adapter's last stderr lines, for a reader of the run; never part of a cell. */
    stderrTail: string[];
}

/** One AS request-log line: `token grant_type=refresh_token client_id=- status=400 error=invalid_client`. */
export interface AsEvent {
    kind: 'register' | 'authorize' | 'decision' | 'token' | 'revoke';
    status: number;
    error?: string;
    scope?: string;
    grantType?: string;
    clientId?: string;
    /** register: the token_endpoint_auth_method the client asked for, when the AS answered `none` instead (RFC 7591 §3.2.1). */
    replacedAuthMethod?: string;
}

export function parseAsLine(line: string): AsEvent | undefined {
    const kind = /^(register|authorize|decision|token|revoke) /.exec(line)?.[1] as AsEvent['kind'] | undefined;
    if (!kind) return undefined;
    const field = (name: string) => new RegExp(`(?:^| )${name}=(?:"([^"]*)"|(\\S+))`).exec(line);
    const value = (name: string) => {
        const match = field(name);
        return match ? (match[1] ?? match[2]) : undefined;
    };
    const clientId = value('client_id');
    const replaced = /^(\S+)->none$/.exec(value('token_endpoint_auth_method') ?? '')?.[1];
    return {
        kind,
        status: Number(value('status')),
        ...(value('error') !== undefined && { error: value('error') }),
        ...(value('scope') !== undefined && { scope: value('scope') }),
        ...(value('grant_type') !== undefined && value('grant_type') !== '-' && { grantType: value('grant_type') }),
        ...(clientId !== undefined && clientId !== '-' && { clientId }),
        ...(replaced !== undefined && { replacedAuthMethod: replaced })
    };
}

/** One RS call-log line: `call tool=write-file client_id=abc status=403`. */
export interface RsCall {
    tool: string;
    status: number;
}

export function parseRsLine(line: string): RsCall | undefined {
    const match = /^call tool=(\S+) client_id=\S+ status=(\d+)$/.exec(line);
    return match ? { tool: match[1]!, status: Number(match[2]) } : undefined;
}

export const asEvents = (wire: Wire): AsEvent[] => wire.as.flatMap((line) => parseAsLine(line) ?? []);
export const rsCalls = (wire: Wire): RsCall[] => wire.rs.flatMap((line) => parseRsLine(line) ?? []);

/** The stretches of `run` from the step named `step` (its `nth` occurrence) up to, not including, the next step. */
export function stepOf(run: RunEvidence, step: string, nth = 1): StepEvidence | undefined {
    return run.steps.filter((entry) => entry.step === step)[nth - 1];
}

/** All of `run`'s wire, steps and closing together. */
export function wholeRun(run: RunEvidence): Wire {
    const parts = [...run.steps, run.after];
    return {
        as: parts.flatMap((part) => part.as),
        rs: parts.flatMap((part) => part.rs),
        fetch: parts.flatMap((part) => part.fetch),
        visits: parts.flatMap((part) => part.visits)
    };
}
