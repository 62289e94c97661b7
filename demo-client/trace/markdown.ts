/**
 * A trace as Markdown that renders on GitHub as is: a mermaid
 * `sequenceDiagram` (one arrow per request, one per response, a note where a
 * rule decided), and under it the same exchanges one line each, for a
 * terminal. Participants are named by the part they play in the run, so two
 * runs of the same story draw the same picture.
 */
import type { Entry, Exchange, TraceRecorder } from './recorder.ts';

interface Participant {
    id: string;
    /** The name in the diagram. */
    title: string;
    /** The short name in the terminal lines. */
    short: string;
}

const hostOf = (origin: string) => origin.replace(/^https?:\/\//, '');

/** Who is who: the user agent, the callback listener, the client, the resource server, the other servers (AS). */
function participants(recorder: TraceRecorder): { ordered: Participant[]; of(origin: string): Participant; client: Participant; agent: Participant } {
    const exchanges = recorder.exchanges;
    const agent: Participant = { id: 'U', title: recorder.setting.userAgent === 'headless' ? 'headless user agent' : 'browser', short: 'agent' };
    const client: Participant = { id: 'C', title: 'demo-client', short: 'client' };
    const callbacks = [...new Set(exchanges.filter((exchange) => exchange.incoming).map((exchange) => exchange.to))];
    const listener: Participant = { id: 'L', title: `callback listener ${callbacks.map(hostOf).join(', ')}`, short: 'callback' };
    const resourceOrigin = recorder.setting.resource?.origin;
    const resource: Participant = { id: 'RS', title: `resource server ${hostOf(resourceOrigin ?? '')}`, short: 'RS' };
    const servers = new Map<string, Participant>();
    for (const { to, incoming } of exchanges) {
        if (incoming || to === resourceOrigin || servers.has(to)) continue;
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
    const of = (origin: string) => (callbacks.includes(origin) ? listener : origin === resourceOrigin ? resource : servers.get(origin)!);
    return { ordered, of, client, agent };
}

/**
 * Text a mermaid message may hold: `#` would start a comment, `;` end the statement, `<`/`>` open HTML,
 * so they become mermaid's entity codes; everything else is already plain text (facts.ts).
 */
const mermaidText = (text: string) => text.replace(/[#;<>]/g, (character) => `#${character.charCodeAt(0)};`);

const WIDTH = 72;

/** `head` and its facts in lines of about WIDTH characters, `<br/>` (mermaid's line break) between them. */
function wrapped(head: string, facts: string[]): string {
    const lines = [mermaidText(head)];
    for (const [index, fact] of facts.map(mermaidText).entries()) {
        const last = lines[lines.length - 1]!;
        const separator = index === 0 ? ' ' : ', ';
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
        lines.push(`    ${to.id}-->>${from.id}: ${wrapped(outcome(entry), [...entry.response, ...entry.marks])}`);
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
        const response = [outcome(entry), ...entry.response, ...entry.marks].join(', ');
        return `${String(number.get(entry)).padStart(3)}. ${from.short} → ${to.short}: ${request} ⇒ ${response}`;
    });
}

/** The whole file. */
export function traceMarkdown(recorder: TraceRecorder): string {
    const exchanges = recorder.exchanges.length;
    const target = recorder.setting.resource ? ` against ${recorder.setting.resource.href}` : '';
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
