/**
 * `call <tool> [k=v …]`: one tool call, stepping up within the limits the
 * flags set. The tool's text goes to stdout; a tool error exits 1.
 */
import type { Narrator } from '../narrator.ts';
import type { Session } from '../session.ts';
import { typedArguments } from '../tool-arguments.ts';
import { resultText } from '../tool-result.ts';

export async function runCall(session: Session, narrator: Narrator, tool: string, raw: Record<string, string>, print: (line: string) => void): Promise<number> {
    const schema = Object.keys(raw).length > 0 ? (await session.listTools()).find((listed) => listed.name === tool) : undefined;
    const result = await session.callTool(tool, typedArguments(schema, raw));
    narrator.outcome(result.isError ? `${tool} returned a tool error` : `${tool} ✓`);
    print(resultText(result));
    return result.isError ? 1 : 0;
}
