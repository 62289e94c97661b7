/**
 * demo-client: the CLI client of the scoped-tools story.
 *
 *   tsx demo-client/main.ts <story|tools|call|logout> --server <RS /mcp url> [flags]
 *
 * It learns about the resource server and its authorization server only over
 * HTTP (401 challenge → protected-resource metadata → AS metadata), lets the
 * SDK run OAuth, and shows each step. Every run ends with exit 0, or with one
 * line on stderr and a non-zero exit — never a stack trace.
 *
 * DEMO ONLY: it listens on 127.0.0.1 for the callback and keeps tokens in a
 * 0600 file; a real client would use the platform's credential store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundedFetch } from './bounded-fetch.ts';
import { runCall } from './commands/call.ts';
import { runLogout } from './commands/logout.ts';
import { runStory } from './commands/story.ts';
import { runTools } from './commands/tools.ts';
import { ClientFailure, describeFailure } from './failures.ts';
import { Narrator, type Output } from './narrator.ts';
import { defaultStorePath, parseOptions, PROGRAM, type ClientOptions } from './options.ts';
import { plainText, redactUrls } from './plain-text.ts';
import { serverFromStdin } from './server-from-stdin.ts';
import type { SessionEvent } from './session-events.ts';
import { Session } from './session.ts';
import { TokenStore } from './token-store.ts';
import { startTrace, type Trace } from './trace/trace.ts';

const output: Output = {
    out: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${PROGRAM}: ${line}\n`)
};

/** SDK warnings can quote server responses and URLs; keep their first sentence, as plain text with URLs redacted, and drop the quoted cause. */
console.warn = (message?: unknown) => output.warn(`warning: ${plainText(redactUrls(String(message).split(' Cause:')[0]!.replace(/^\[mcp-sdk\]\s*/, '')), 200)}`);

async function runCommand(options: ClientOptions, storePath: string, storeNote: string, trace?: Trace): Promise<number> {
    const events: SessionEvent[] = [];
    const narrator = new Narrator(output, options.command === 'story');
    const policy = { enabled: options.stepUp, maxStepUps: options.maxStepUps };
    const session = await Session.open({
        server: options.server!,
        store: TokenStore.open(storePath, output.warn),
        policy,
        headless: options.headless,
        openBrowser: options.openBrowser,
        authTimeoutMs: options.authTimeoutMs,
        dpop: options.dpop,
        versionNegotiation: options.versionNegotiation,
        preRegisteredClient: options.preRegisteredClient,
        callbackPort: options.callbackPort,
        onEvent: (event) => {
            events.push(event);
            trace?.event(event);
            narrator.event(event);
        },
        print: output.out,
        warn: output.warn
    });
    try {
        if (options.refresh) await session.refreshTokens();
        switch (options.command) {
            case 'story':
                return await runStory({ session, narrator, policy, events, server: options.server!, headless: options.headless, storeNote });
            case 'tools':
                return await runTools(session, narrator, output.out);
            default:
                return await runCall(session, narrator, options.tool!, options.toolArguments, output.out);
        }
    } finally {
        await session.close();
    }
}

/** Runs the command, traced when --trace is given; the trace is written however the run ends. */
async function main(): Promise<number> {
    const options = parseOptions();
    if (options.serverFromStdin) options.server = await serverFromStdin();
    // Beneath everything that reads a response (the SDK, the trace's copies), so no body outgrows its bound.
    globalThis.fetch = boundedFetch(globalThis.fetch, options.server);
    if (!options.trace) return runClient(options);
    const command = options.command === 'call' ? `call ${plainText(options.tool!, 40)}` : options.command;
    const trace = startTrace(options.trace, { command, resource: options.server, userAgent: options.headless ? 'headless' : 'browser' });
    try {
        return await runClient(options, trace);
    } finally {
        output.out(trace.write());
    }
}

async function runClient(options: ClientOptions, trace?: Trace): Promise<number> {
    if (options.command === 'logout') return runLogout(options.store ?? defaultStorePath(), output.out, output.warn);
    // The story starts from nothing unless told otherwise, so it always shows registration and consent.
    const temporary = options.command === 'story' && !options.store ? mkdtempSync(join(tmpdir(), 'scoped-tools-story-')) : undefined;
    const removeTemporary = () => temporary && rmSync(temporary, { recursive: true, force: true });
    process.once('SIGINT', () => {
        removeTemporary();
        process.exit(130);
    });
    try {
        const startsWith = options.preRegisteredClient ? 'consent (the client is pre-registered)' : 'registration and consent';
        if (temporary) return await runCommand(options, join(temporary, 'client.json'), `a fresh temporary file, so the story starts with ${startsWith}`, trace);
        const storePath = options.store ?? defaultStorePath();
        return await runCommand(options, storePath, storePath, trace);
    } finally {
        removeTemporary();
    }
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        output.warn(describeFailure(error));
        process.exit(error instanceof ClientFailure ? error.exitCode : 1);
    }
);
