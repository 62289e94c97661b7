/**
 * A trace as Markdown that renders on GitHub as is: a mermaid
 * `sequenceDiagram` (one arrow per request, one per response, a note where a
 * rule decided), and under it the same exchanges one line each, for a
 * terminal. Participants are named by the part they play in the run, so two
 * runs of the same story draw the same picture.
 */
import { showUrl } from '../plain-text.ts';
import type { Entry, Exchange, TraceRecorder } from './recorder.ts';

interface Participant {
    id: string;
    /** The name in the diagram. */
    title: string;
    /** The short name in the terminal lines. */
    short: string;
}

const hostOf = (origin: string) => origin.replace(/^https?:\/\//, '');

/**
 * Who is who: the user agent, the callback listener, the client, the resource server, the other
 * servers (AS). Only a destination some drawn request went to is a participant, and the listener's
 * origin is never an authorization server, however the request to it was recorded.
 */
function participants(recorder: TraceRecorder): { ordered: Participant[]; of(origin: string): Participant; client: Participant; agent: Participant } {
    const exchanges = recorder.exchanges;
    const agent: Participant = { id: 'U', title: recorder.setting.userAgent === 'headless' ? 'headless user agent' : 'browser', short: 'agent' };
    const client: Participant = { id: 'C', title: 'demo-client', short: 'client' };
    const isCallback = (origin: string) => recorder.callbackOrigins.has(origin);
    const callbacks = [...new Set(exchanges.map((exchange) => exchange.to).filter(isCallback))];
    const listener: Participant = { id: 'L', title: `callback listener ${callbacks.map(hostOf).join(', ')}`, short: 'callback' };
    const resourceOrigin = recorder.setting.resource?.origin;
    const resource: Participant = { id: 'RS', title: `resource server ${hostOf(resourceOrigin ?? '')}`, short: 'RS' };
    const servers = new Map<string, Participant>();
    for (const { to } of exchanges) {
        if (isCallback(to) || to === resourceOrigin || servers.has(to)) continue;
        const id = servers.size === 0 ? 'AS' : `AS${servers.size + 1}`;
        servers.set(to, { id, title: `authorization server ${hostOf(to)}`, short: id });
    }
    const usesAgent = exchanges.some((exchange) => exchange.from === 'user-agent') || recorder.setting.userAgent === 'browser';
    const ordered = [
        ...(usesAgent ? [agent] : []),
        ...(callbacks.length > 0 ? [listener] : []),
        client,
        ...(exchanges.some((exchange) => exchange.to === resourceOrigin) ? [resource] : []),
        ...servers.values()
    ];
    const of = (origin: string) => (isCallback(origin) ? listener : origin === resourceOrigin ? resource : servers.get(origin)!);
    return { ordered, of, client, agent };
}

/**
 * Text a mermaid message may hold: `#` would start a comment, `;` end the statement, `<`/`>` open HTML,
 * so they become mermaid's entity codes; everything else is already plain text (facts.ts).
 */
const mermaidText = (text: string) => text.replace(/[#;<>]/g, (character) => `#${character.charCodeAt(0)};`);

const WIDTH = 72;

/** A fact longer than a line, in the pieces it may break into: after its own commas (a header's parameters, a list's items). */
const pieces = (fact: string) => (fact.length <= WIDTH ? [fact] : fact.split(/(?<=,) /));

/** `head` and its facts in lines of about WIDTH characters, `<br/>` (mermaid's line break) between them. */
function wrapped(head: string, facts: string[]): string {
    const lines = [mermaidText(head)];
    for (const [index, fact] of facts.flatMap(pieces).map(mermaidText).entries()) {
        const last = lines[lines.length - 1]!;
        const separator = index === 0 ? ' ' : last.endsWith(',') ? ' ' : ', ';
        if (last.length + separator.length + fact.length <= WIDTH) lines[lines.length - 1] = `${last}${separator}${fact}`;
        else lines.push(fact);
    }
    return lines.join('<br/>');
}

/** A note's text in lines of about WIDTH characters, broken between words. */
function wrappedNote(text: string): string {
    const lines: string[] = [];
    for (const word of mermaidText(text).split(' ')) {
        const last = lines.at(-1);
        if (last !== undefined && last.length + 1 + word.length <= WIDTH) lines[lines.length - 1] = `${last} ${word}`;
        else lines.push(word);
    }
    return lines.join('<br/>');
}

/** Marks on a response, and how many requests like it were folded into it (recorder.ts). */
const marksOf = (exchange: Exchange) => [...exchange.marks, ...(exchange.repeats > 0 ? [`and ${exchange.repeats} more turned away the same way`] : [])];

const outcome = (exchange: Exchange) => (exchange.status !== undefined ? String(exchange.status) : exchange.failure ? `no response (${exchange.failure})` : 'no response yet');

/** Each exchange's number: its place among the exchanges. */
const numbering = (recorder: TraceRecorder) => new Map(recorder.exchanges.map((exchange, index) => [exchange, index + 1]));

function diagram(recorder: TraceRecorder): string[] {
    const cast = participants(recorder);
    const number = numbering(recorder);
    const requestLine = (exchange: Exchange) => `${number.get(exchange)}. ${exchange.method} ${exchange.path}`;
    const lines = ['sequenceDiagram', ...cast.ordered.map((participant) => `    participant ${participant.id} as ${mermaidText(participant.title)}`)];
    for (const entry of recorder.entries) {
        if (entry.kind === 'note') {
            lines.push(`    Note over ${cast.client.id}: ${wrappedNote(entry.text)}`);
            continue;
        }
        const from = entry.from === 'user-agent' ? cast.agent : cast.client;
        const to = cast.of(entry.to);
        if (entry.failure !== undefined) {
            lines.push(`    ${from.id}-x${to.id}: ${wrapped(requestLine(entry), [...entry.request, outcome(entry)])}`);
            continue;
        }
        lines.push(`    ${from.id}->>${to.id}: ${wrapped(requestLine(entry), entry.request)}`);
        lines.push(`    ${to.id}-->>${from.id}: ${wrapped(outcome(entry), [...entry.response, ...marksOf(entry)])}`);
    }
    return lines;
}

function terminalLines(recorder: TraceRecorder): string[] {
    const cast = participants(recorder);
    const number = numbering(recorder);
    return recorder.entries.map((entry: Entry) => {
        if (entry.kind === 'note') return `      note: ${entry.text}`;
        const from = entry.from === 'user-agent' ? cast.agent : cast.client;
        const to = cast.of(entry.to);
        const request = [`${entry.method} ${entry.path}`, ...entry.request].join(' ');
        const response = [outcome(entry), ...entry.response, ...marksOf(entry)].join(', ');
        return `${String(number.get(entry)).padStart(3)}. ${from.short} → ${to.short}: ${request} ⇒ ${response}`;
    });
}

/** The whole file. */
export function traceMarkdown(recorder: TraceRecorder): string {
    const exchanges = recorder.exchanges.length;
    const target = recorder.setting.resource ? ` against ${showUrl(recorder.setting.resource)}` : '';
    return [
        `# Trace: demo-client ${recorder.setting.command}${target}`,
        '',
        `${exchanges} HTTP ${exchanges === 1 ? 'exchange' : 'exchanges'}, as the client process saw them: its requests to the resource and authorization servers,`,
        "the user agent's, and the callbacks its listener received. Secrets are labels (token#1, code#1, state#1, cookie#1):",
        'the same value always has the same label, and no value is written.',
        '',
        '```mermaid',
        ...diagram(recorder),
        '```',
        '',
        '```text',
        ...terminalLines(recorder),
        '```',
        ''
    ].join('\n');
}
