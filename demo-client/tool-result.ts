/**
 * Reading a tool's result for the terminal: its text blocks, made safe to
 * print (a server chooses these bytes), and a one-line summary for the story.
 */
import type { CallToolResult } from '@modelcontextprotocol/client';
import { plainText, terminalBlock } from './plain-text.ts';

/** Every text block of the result, joined by newlines, safe for the terminal. */
export function resultText(result: CallToolResult): string {
    const texts = result.content.flatMap((block) => (block.type === 'text' ? [block.text] : []));
    return terminalBlock(texts.join('\n'));
}

/** The first line of the result's text, plain and capped, or a note that there is none. */
export function resultSummary(result: CallToolResult): string {
    const first = resultText(result)
        .split('\n')
        .find((line) => line.trim() !== '');
    return first === undefined ? '(no text)' : plainText(first, 100);
}
