/**
 * `call <tool> [k=v …]`: one tool call, stepping up within the limits the
 * flags set. The tool's text goes to stdout; a tool error exits 1. A name
 * the server does not know ends with the names it does know.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import { ClientFailure } from '../failures.ts';
import type { Narrator } from '../narrator.ts';
import { plainText, quoteUntrusted, showList } from '../plain-text.ts';
import type { Session } from '../session.ts';
import { typedArguments } from '../tool-arguments.ts';
import { resultText } from '../tool-result.ts';

export async function runCall(session: Session, narrator: Narrator, tool: string, raw: Record<string, string>, print: (line: string) => void): Promise<number> {
    const schema = Object.keys(raw).length > 0 ? (await session.listTools()).find((listed) => listed.name === tool) : undefined;
    const result = await session.callTool(tool, typedArguments(schema, raw)).catch((error: unknown) => unknownToolOr(error, session, tool));
    narrator.outcome(result.isError ? `${tool} returned a tool error` : `${tool} ✓`);
    print(resultText(result));
    return result.isError ? 1 : 0;
}

/**
 * MCP answers a call to a tool it does not have with JSON-RPC Invalid Params (-32602); when
 * tools/list confirms the name is not there, the failure lists the names that are. Any other error stands.
 */
async function unknownToolOr(error: unknown, session: Session, tool: string): Promise<never> {
    if (!(error instanceof ProtocolError) || error.code !== ProtocolErrorCode.InvalidParams) throw error;
    const names = (await session.listTools()).map((listed) => listed.name);
    if (names.includes(tool)) throw error;
    const offered = names.length === 0 ? 'it lists no tools' : `its tools: ${showList(names, (name) => plainText(name, 60))}`;
    throw new ClientFailure(`the resource server has no tool named ${quoteUntrusted(tool, 60)}; ${offered}`);
}
