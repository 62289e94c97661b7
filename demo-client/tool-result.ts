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

/** The result's text on one line (its lines joined by "; "), plain and capped, or a note that there is none. */
export function resultSummary(result: CallToolResult): string {
    const lines = resultText(result)
        .split('\n')
        .filter((line) => line.trim() !== '');
    return lines.length === 0 ? '(no text)' : plainText(lines.join('; '), 160);
}
