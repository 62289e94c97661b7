/**
 * The demo client's entry for the official MCP conformance suite:
 *
 *   npm run -s conformance:client -- <server-url>
 *
 * The suite starts a scenario's fixture servers (some misbehave on purpose),
 * appends the fixture's MCP URL to this command, and judges what the client
 * did on the wire. This entry runs the client's real code path — the same
 * Session, OAuth provider, 127.0.0.1 callback listener, headless user agent,
 * `finishAuth(URLSearchParams)` and bounded step-up as the CLI — then lists the
 * tools and calls each one with sample arguments shaped by its input schema.
 *
 * It knows nothing about scenarios. The only thing it takes from the suite
 * besides the URL is MCP_CONFORMANCE_CONTEXT, when a scenario hands over
 * pre-registered client credentials.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFailure } from './failures.ts';
import { Narrator, type Output } from './narrator.ts';
import { plainText } from './plain-text.ts';
import { Session } from './session.ts';
import { sampleArguments } from './tool-arguments.ts';
import { TokenStore } from './token-store.ts';

const PROGRAM = 'conformance-client';

const output: Output = {
    out: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${PROGRAM}: ${line}\n`)
};

/** The suite's URL argument, checked the way the CLI checks --server. */
function serverUrl(argv: string[]): URL {
    const raw = argv.at(-1);
    if (!raw || !URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
        output.warn('usage: conformance-client <server-url> (an absolute http(s) URL)');
        process.exit(2);
    }
    return new URL(raw);
}

/** Connects, lists the tools and calls each one; returns how many calls failed. */
async function exercise(session: Session, narrator: Narrator): Promise<number> {
    const tools = await session.listTools();
    narrator.outcome(`${tools.length} tools: ${tools.map((tool) => plainText(tool.name, 60)).join(', ') || '(none)'}`);
    let failed = 0;
    for (const tool of tools) {
        try {
            const result = await session.callTool(tool.name, sampleArguments(tool));
            narrator.outcome(result.isError ? `${plainText(tool.name, 60)} returned a tool error` : `${plainText(tool.name, 60)} ✓`);
        } catch (error) {
            failed++;
            output.warn(`${plainText(tool.name, 60)}: ${describeFailure(error)}`);
        }
    }
    return failed;
}

async function main(): Promise<number> {
    const server = serverUrl(process.argv.slice(2));
    const home = mkdtempSync(join(tmpdir(), 'scoped-tools-conformance-'));
    const narrator = new Narrator(output, false);
    const session = await Session.open({
        server,
        store: TokenStore.open(join(home, 'client.json'), output.warn),
        policy: { enabled: true, maxStepUps: 1 },
        headless: true,
        openBrowser: false,
        authTimeoutMs: 10_000,
        onEvent: (event) => narrator.event(event),
        print: output.out,
        warn: output.warn,
        versionNegotiation: { mode: 'auto' }
    });
    try {
        return (await exercise(session, narrator)) === 0 ? 0 : 1;
    } finally {
        await session.close();
        rmSync(home, { recursive: true, force: true });
    }
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        output.warn(describeFailure(error));
        process.exit(1);
    }
);
