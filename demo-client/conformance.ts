/**
 * The demo client's entry for the official MCP conformance suite:
 *
 *   npm run -s conformance:client -- <server-url>
 *
 * The suite starts a scenario's fixture servers (some misbehave on purpose),
 * appends the fixture's MCP URL to this command and judges what the client did
 * on the wire. This entry runs the client's real code path — the same Session,
 * OAuth provider, 127.0.0.1 callback listener, headless user agent,
 * `finishAuth(URLSearchParams)` and bounded step-up as the CLI — then lists the
 * tools and calls each one with sample arguments shaped by its input schema.
 *
 * It knows nothing about scenarios. Besides the URL it reads only
 * MCP_CONFORMANCE_CONTEXT, for what a scenario hands over: client credentials
 * registered out of band with a named issuer, or the exact tool calls to make.
 * Every run starts from an empty token store in a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tool } from '@modelcontextprotocol/client';
import { boundedFetch } from './bounded-fetch.ts';
import { describeFailure } from './failures.ts';
import { Narrator, type Output } from './narrator.ts';
import { plainText } from './plain-text.ts';
import { Session } from './session.ts';
import { sampleArguments } from './tool-arguments.ts';
import { TokenStore } from './token-store.ts';
import { CONFORMANCE_COMMAND_LINE } from './options.ts';
import { parseCommandLineOrHelp } from '../support/usage.ts';

const PROGRAM = CONFORMANCE_COMMAND_LINE.program;

/**
 * The Client ID Metadata Document URL the suite's fixture authorization servers accept as this
 * client's identity without fetching it (the suite's own reference client uses the same one). Used
 * only where a server advertises client_id_metadata_document_supported; everywhere else the client
 * registers with DCR as usual. A deployed client would publish its own document at its own URL.
 */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

/** The CLI's default step-up budget (--max-step-up-retries). */
const MAX_STEP_UPS = 1;

/** Within the suite's 30 s per-scenario budget. */
const AUTH_TIMEOUT_MS = 10_000;

const output: Output = {
    out: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${PROGRAM}: ${line}\n`)
};

/** A registration made out of band, bound to the issuer it was made with. */
interface PreRegistration {
    issuer: string;
    clientId: string;
    clientSecret?: string;
}

interface ToolCall {
    name: string;
    arguments: Record<string, unknown>;
}

interface Context {
    preRegistration?: PreRegistration;
    toolCalls?: ToolCall[];
}

class UsageError extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The suite's URL argument, held to the same rule as the CLI's --server. */
function serverUrl(argv: string[]): URL {
    const raw = parseCommandLineOrHelp(CONFORMANCE_COMMAND_LINE, argv).positionals.at(-1);
    const url = raw && URL.canParse(raw) ? new URL(raw) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError('usage: conformance-client <server-url> (an absolute http(s) URL)');
    return url;
}

function toolCallsFrom(value: unknown): ToolCall[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((call) => isRecord(call) && text(call.name) && (call.arguments === undefined || isRecord(call.arguments)))) {
        throw new UsageError('MCP_CONFORMANCE_CONTEXT: toolCalls must be a list of { name, arguments }');
    }
    return value.map((call: Record<string, unknown>) => ({ name: call.name as string, arguments: (call.arguments ?? {}) as Record<string, unknown> }));
}

/** What the scenario handed over, if anything; fields this client has no use for are ignored. */
function readContext(raw: string | undefined): Context {
    if (!raw) return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        throw new UsageError('MCP_CONFORMANCE_CONTEXT is not JSON');
    }
    if (!isRecord(parsed)) throw new UsageError('MCP_CONFORMANCE_CONTEXT is not a JSON object');
    const issuer = text(parsed.issuer);
    const clientId = text(parsed.client_id);
    // Credentials without the issuer they belong to are not used: handing them to another server would leak them (SEP-2352).
    const preRegistration = issuer && clientId ? { issuer, clientId, clientSecret: text(parsed.client_secret) } : undefined;
    return { preRegistration, toolCalls: toolCallsFrom(parsed.toolCalls) };
}

/** The calls to make: the ones the scenario named, or each listed tool with sample arguments. */
function plannedCalls(tools: Tool[], context: Context): ToolCall[] {
    return context.toolCalls ?? tools.map((tool) => ({ name: tool.name, arguments: sampleArguments(tool) }));
}

/** Lists the tools and makes the calls; returns how many calls failed. */
async function exercise(session: Session, narrator: Narrator, context: Context): Promise<number> {
    const tools = await session.listTools();
    narrator.outcome(`${tools.length} tools: ${tools.map((tool) => plainText(tool.name, 60)).join(', ') || '(none)'}`);
    let failed = 0;
    for (const call of plannedCalls(tools, context)) {
        const name = plainText(call.name, 60);
        try {
            const result = await session.callTool(call.name, call.arguments);
            narrator.outcome(result.isError ? `${name} returned a tool error` : `${name} ✓`);
        } catch (error) {
            failed++;
            output.warn(`${name}: ${describeFailure(error)}`);
        }
    }
    return failed;
}

async function main(): Promise<number> {
    const server = serverUrl(process.argv.slice(2));
    // As the CLI does (main.ts): no body a fixture server sends is read past its bound.
    globalThis.fetch = boundedFetch(globalThis.fetch, server);
    const context = readContext(process.env.MCP_CONFORMANCE_CONTEXT);
    const home = mkdtempSync(join(tmpdir(), 'scoped-tools-conformance-'));
    const store = TokenStore.open(join(home, 'client.json'), output.warn);
    const narrator = new Narrator(output, false);
    const session = await Session.open({
        server,
        store,
        policy: { enabled: true, maxStepUps: MAX_STEP_UPS },
        headless: true,
        openBrowser: false,
        authTimeoutMs: AUTH_TIMEOUT_MS,
        onEvent: (event) => narrator.event(event),
        print: output.out,
        warn: output.warn,
        // Fixture servers speak either protocol era; the SDK probes with server/discover and falls back to initialize.
        versionNegotiation: { mode: 'auto' },
        clientMetadataUrl: CLIENT_METADATA_URL
    });
    try {
        const registration = context.preRegistration;
        // A registration made out of band is stored like one made with DCR, under its issuer and our redirect URI.
        if (registration) {
            const information = { client_id: registration.clientId, client_secret: registration.clientSecret, issuer: registration.issuer };
            store.saveClient(registration.issuer, information, session.provider.redirectUrl);
        }
        return (await exercise(session, narrator, context)) === 0 ? 0 : 1;
    } finally {
        await session.close();
        rmSync(home, { recursive: true, force: true });
    }
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        output.warn(error instanceof UsageError ? error.message : describeFailure(error));
        process.exit(error instanceof UsageError ? 2 : 1);
    }
);
