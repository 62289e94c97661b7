/**
 * What a trace says about one request or response: its decisive values, with
 * every secret-bearing value replaced by its label (labels.ts).
 *
 * Deny by default. A parameter, JSON field or header appears only when it is
 * named below, either as shown (a public value that decides something: scope,
 * grant_type, token_type, error) or as labelled (a secret or one-time value:
 * tokens, codes, verifiers, state, cookies, client secrets, DPoP proofs).
 * Anything else — a field a server adds, a consent form's hidden input, an
 * error_description an attacker wrote — is left out, so nothing unknown can
 * reach the file. Shown values pass through plain-text.ts like everything the
 * client prints.
 */
import { plainText, showIssuer, showList, showScope, showUrl } from '../plain-text.ts';
import { challengeFact } from './challenge.ts';
import type { LabelKind, Labels } from './labels.ts';

type Shown = 'text' | 'scope' | 'url' | 'urls' | 'issuer' | 'issuers' | 'iss' | 'flag';
type Rule = { show: Shown } | { label: LabelKind };

/** Query, form and JSON fields a trace shows, in the order it shows them. */
const FIELDS: ReadonlyArray<[string, Rule]> = [
    ['grant_type', { show: 'text' }],
    ['token_type', { show: 'text' }],
    ['scope', { show: 'scope' }],
    ['error', { show: 'text' }],
    ['issuer', { show: 'issuer' }],
    ['authorization_servers', { show: 'issuers' }],
    ['authorization_response_iss_parameter_supported', { show: 'flag' }],
    ['resource', { show: 'url' }],
    ['redirect_uri', { show: 'url' }],
    ['redirect_uris', { show: 'urls' }],
    ['token_type_hint', { show: 'text' }],
    ['decision', { show: 'text' }],
    ['client_id', { label: 'client' }],
    ['client_secret', { label: 'secret' }],
    ['registration_access_token', { label: 'secret' }],
    ['code_challenge', { label: 'challenge' }],
    ['code_challenge_method', { show: 'text' }],
    ['code', { label: 'code' }],
    ['state', { label: 'state' }],
    ['iss', { show: 'iss' }],
    ['code_verifier', { label: 'verifier' }],
    ['access_token', { label: 'token' }],
    ['refresh_token', { label: 'refresh' }],
    ['id_token', { label: 'id-token' }],
    ['token', { label: 'token' }]
];

/** What the trace knows while describing: the labels so far, and the issuers the metadata named. */
export interface FactContext {
    labels: Labels;
    issuers: Set<string>;
}

/** Field values in a form that does not say whether a value is one string or a list. */
type FieldSource = (name: string) => unknown;

const asStrings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];

function shownValue(kind: Shown, value: unknown, context: FactContext): string | undefined {
    const [first] = asStrings(value);
    switch (kind) {
        case 'flag':
            return typeof value === 'boolean' ? String(value) : undefined;
        case 'urls':
            return `[${showList(asStrings(value), showUrl)}]`;
        case 'issuers':
            return `[${showList(asStrings(value), showIssuer)}]`;
        case 'scope':
            return first === undefined ? undefined : showScope(first);
        case 'url':
            return first === undefined ? undefined : showUrl(first);
        case 'issuer':
            return first === undefined ? undefined : showIssuer(first);
        case 'iss':
            // SEP-2468: an iss the client did not discover may be an attacker's; name only that it differs,
            // or, with no metadata found, that there was nothing to compare it with.
            if (first === undefined) return undefined;
            if (context.issuers.has(first)) return showIssuer(first);
            return context.issuers.size === 0 ? '(unchecked: no authorization server metadata)' : '(not the issuer in the metadata)';
        case 'text':
            return first === undefined ? undefined : plainText(first, 60);
    }
}

/** The named fields present in `source`, as `name=value` with labels for secrets. */
function fieldFacts(source: FieldSource, context: FactContext): string[] {
    const facts: string[] = [];
    const unverifiedIss = (() => {
        const iss = asStrings(source('iss'))[0];
        return iss !== undefined && !context.issuers.has(iss);
    })();
    for (const [name, rule] of FIELDS) {
        const value = source(name);
        if (value === undefined || value === null) continue;
        if ('label' in rule) {
            const values = asStrings(value);
            if (values.length > 0) facts.push(`${name}=${values.map((item) => context.labels.of(rule.label, item)).join(',')}`);
            continue;
        }
        // SEP-2468: error text beside an unverified iss is not acted on or shown.
        if (name === 'error' && unverifiedIss) {
            facts.push('error=(not shown: iss unverified)');
            continue;
        }
        const shown = shownValue(rule.show, value, context);
        if (shown !== undefined) facts.push(`${name}=${shown}`);
        if (name === 'issuer' && typeof value === 'string') context.issuers.add(value);
    }
    return facts;
}

/** Facts of URL query or form parameters. */
export function paramFacts(params: URLSearchParams, context: FactContext): string[] {
    return fieldFacts((name) => {
        const all = params.getAll(name);
        return all.length === 0 ? undefined : all.length === 1 ? all[0] : all;
    }, context);
}

/** Facts of a JSON document: a JSON-RPC message names its method (and tool), anything else its named fields. */
export function jsonFacts(document: unknown, context: FactContext): string[] {
    const messages = Array.isArray(document) ? document : [document];
    if (messages.every((message) => typeof message === 'object' && message !== null && 'jsonrpc' in message)) {
        return messages.map((message) => jsonRpcFact(message as Record<string, unknown>));
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) return [];
    const fields = document as Record<string, unknown>;
    return fieldFacts((name) => (Object.hasOwn(fields, name) ? fields[name] : undefined), context);
}

function jsonRpcFact(message: Record<string, unknown>): string {
    const params = message.params as Record<string, unknown> | undefined;
    if (typeof message.method === 'string') {
        const tool = message.method === 'tools/call' && typeof params?.name === 'string' ? ` ${plainText(params.name, 40)}` : '';
        return `${plainText(message.method, 40)}${tool}`;
    }
    const error = message.error as { code?: unknown } | undefined;
    if (error && typeof error === 'object') return `JSON-RPC error ${typeof error.code === 'number' ? error.code : '(no code)'}`;
    return 'result';
}

/** `scheme label` of an Authorization header: the scheme is the token type in use, the credential a label. */
function authorizationFact(value: string, labels: Labels): string {
    const [scheme = '', credential = ''] = value.trim().split(/\s+/, 2);
    const kind: LabelKind = /^(bearer|dpop)$/i.test(scheme) ? 'token' : 'secret';
    return `Authorization: ${plainText(scheme, 20)} ${labels.of(kind, credential)}`;
}

const cookiePairs = (header: string) =>
    header
        .split(';')
        .map((pair) => pair.trim())
        .filter((pair) => pair.includes('='));

/** Headers a request's trace shows; every one of them carries a secret, so each is a label. */
export function requestHeaderFacts(headers: Headers, labels: Labels): string[] {
    const facts: string[] = [];
    const authorization = headers.get('authorization');
    if (authorization) facts.push(authorizationFact(authorization, labels));
    const proof = headers.get('dpop');
    if (proof) facts.push(`DPoP: ${labels.of('proof', proof)}`);
    const cookie = headers.get('cookie');
    if (cookie) facts.push(`Cookie: ${cookiePairs(cookie).map((pair) => labels.of('cookie', pair)).join(', ')}`);
    const session = headers.get('mcp-session-id');
    if (session) facts.push(`Mcp-Session-Id: ${labels.of('session', session)}`);
    return facts;
}

/** Headers a response's trace shows: the challenge, where a redirect goes (with its parameters), cookies, nonces. */
export function responseHeaderFacts(headers: Headers, base: URL, context: FactContext): string[] {
    const facts: string[] = [];
    const challenge = headers.get('www-authenticate');
    if (challenge) facts.push(challengeFact(challenge));
    const location = headers.get('location');
    if (location !== null) {
        const target = URL.canParse(location, base) ? new URL(location, base) : undefined;
        facts.push(target ? `Location: ${showUrl(target.origin + target.pathname)}` : 'Location: (not a URL)');
        if (target) facts.push(...paramFacts(target.searchParams, context));
    }
    const cookies = headers.getSetCookie().map((line) => line.split(';')[0]!.trim());
    if (cookies.length > 0) facts.push(`Set-Cookie: ${cookies.map((pair) => context.labels.of('cookie', pair)).join(', ')}`);
    const nonce = headers.get('dpop-nonce');
    if (nonce) facts.push(`DPoP-Nonce: ${context.labels.of('nonce', nonce)}`);
    const session = headers.get('mcp-session-id');
    if (session) facts.push(`Mcp-Session-Id: ${context.labels.of('session', session)}`);
    return facts;
}
