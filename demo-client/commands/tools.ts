/**
 * `tools`: what the server offers, one line per tool (the description says
 * which scope each needs).
 */
import type { Narrator } from '../narrator.ts';
import { plainText } from '../plain-text.ts';
import type { Session } from '../session.ts';

export async function runTools(session: Session, narrator: Narrator, print: (line: string) => void): Promise<number> {
    const tools = await session.listTools();
    narrator.outcome(`${tools.length} tools`);
    for (const tool of tools) print(`${plainText(tool.name, 60)}${tool.description ? `  ${plainText(tool.description, 100)}` : ''}`);
    return 0;
}
