/**
 * One stdout line per request to /register, /authorize, /authorize/decision,
 * /token and /revoke, written when the response has gone out, so every path a request
 * can take (an endpoint, a body-parser refusal, a 405) is logged exactly once:
 *
 *   register client_id=<id|-> status=<status>[ error=<error>][ token_endpoint_auth_method=<asked>->none]
 *   authorize client_id=<id|-> status=<status>[ error=<error>][ scope="<asked>"]
 *   decision client_id=<id|-> status=<status>[ decision=<approve|deny>][ error=<error>]
 *   token grant_type=<grant_type|-> client_id=<id|-> status=<status>[ error=<error>][ scope="<granted>"]
 *   revoke client_id=<id|-> status=<status>[ error=<error>][ revoked=family]
 *
 * Lines are collected and written once per event-loop turn (and at exit), so
 * a flood of requests costs one stdout write per batch rather than per line.
 *
 * Only values the AS itself chose are logged: a client_id only once it is
 * known to be registered, a grant_type only if supported, error codes and
 * scopes from the AS's own lists, an auth method the AS replaced only if it
 * is one of the two it replaces. Never a token, code, secret or anything
 * else the caller typed.
 */
import type { NextFunction, Request, Response } from 'express';
import type { SecretAuthMethod } from '../rules/client-metadata.ts';

export interface LogFacts {
    clientId?: string;
    grantType?: string;
    decision?: 'approve' | 'deny';
    error?: string;
    scope?: string;
    /** /register answered `token_endpoint_auth_method: "none"` to a client that asked for this method (RFC 7591 §3.2.1). */
    replacedAuthMethod?: SecretAuthMethod;
    /** /revoke found a refresh token of this client and revoked its family. */
    revoked?: boolean;
}

/** The facts the current request has established so far; endpoints fill them in. */
export function logFacts(res: Response): LogFacts {
    res.locals.logFacts ??= {};
    return res.locals.logFacts as LogFacts;
}

const FORMATS: Record<string, (facts: LogFacts, status: number) => string> = {
    '/register': (facts, status) => `register client_id=${facts.clientId ?? '-'} status=${status}${errorPart(facts)}${replacedAuthMethodPart(facts)}`,
    '/authorize': (facts, status) => `authorize client_id=${facts.clientId ?? '-'} status=${status}${errorPart(facts)}${scopePart(facts)}`,
    '/authorize/decision': (facts, status) =>
        `decision client_id=${facts.clientId ?? '-'} status=${status}${facts.decision ? ` decision=${facts.decision}` : ''}${errorPart(facts)}`,
    '/token': (facts, status) =>
        `token grant_type=${facts.grantType ?? '-'} client_id=${facts.clientId ?? '-'} status=${status}${errorPart(facts)}${scopePart(facts)}`,
    '/revoke': (facts, status) => `revoke client_id=${facts.clientId ?? '-'} status=${status}${errorPart(facts)}${facts.revoked ? ' revoked=family' : ''}`
};

function errorPart(facts: LogFacts): string {
    return facts.error ? ` error=${facts.error}` : '';
}

function replacedAuthMethodPart(facts: LogFacts): string {
    return facts.replacedAuthMethod ? ` token_endpoint_auth_method=${facts.replacedAuthMethod}->none` : '';
}

function scopePart(facts: LogFacts): string {
    return facts.scope === undefined ? '' : ` scope="${facts.scope}"`;
}

let unwritten: string[] = [];

function flushLines(): void {
    if (unwritten.length === 0) return;
    process.stdout.write(`${unwritten.join('\n')}\n`);
    unwritten = [];
}

function writeLine(line: string): void {
    if (unwritten.length === 0) setImmediate(flushLines);
    unwritten.push(line);
}

process.on('exit', flushLines);

export function logRequestOutcomes(req: Request, res: Response, next: NextFunction): void {
    const format = FORMATS[req.path];
    if (format) res.once('finish', () => writeLine(format(logFacts(res), res.statusCode)));
    next();
}
