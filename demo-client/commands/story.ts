/**
 * `story`: the scoped-tools story, step by step, self-checking.
 *
 * list-files needs files:read, write-file files:write, purge-files files:admin
 * (which the demo AS never grants). The story logs in, calls each, and checks
 * what it expects at every step: write-file succeeds after a step-up that asks
 * for the union of held and challenged scope, list-files still works after it,
 * and purge-files ends at the retry cap. With DPoP (the default) it also shows
 * that both tokens are bound to the client's key and that the access token,
 * replayed without that key or with another one, is refused (RFC 9449). It
 * exits 0 when all of that happened — the purge refusal is an expected step —
 * and 1 with the first deviation.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import { ClientFailure } from '../failures.ts';
import type { Narrator } from '../narrator.ts';
import { plainText, showList, showScope, showUrl } from '../plain-text.ts';
import type { SessionEvent } from '../session-events.ts';
import { StepUpRefusal, type Session } from '../session.ts';
import type { StepUpPolicy } from '../step-up-policy.ts';
import { sampleArguments } from '../tool-arguments.ts';
import { resultSummary } from '../tool-result.ts';
import { boundKeyOf, replayAsBearer, replayWithAnotherKey } from '../sender-constraint.ts';

class StoryDeviation extends ClientFailure {
    constructor(what: string) {
        super(`the story did not go as expected: ${what}`);
    }
}

const scopesOf = (scope: string | undefined) => new Set((scope ?? '').split(' ').filter(Boolean));
const holds = (scope: string | undefined, ...wanted: string[]) => wanted.every((token) => scopesOf(scope).has(token));

export interface StoryContext {
    session: Session;
    narrator: Narrator;
    policy: StepUpPolicy;
    /** Every session event, in order; the story checks its expectations against them. */
    events: SessionEvent[];
    server: URL;
    headless: boolean;
    /** How the token store was chosen, for the opening lines. */
    storeNote: string;
}

export async function runStory({ session, narrator, policy, events, server, headless, storeNote }: StoryContext): Promise<number> {
    narrator.say(`scoped-tools story: per-tool scopes and step-up against ${showUrl(server)}`);
    narrator.say(`token store: ${storeNote}`);
    narrator.say(headless ? 'consent: headless — the client approves the consent page itself, as a user would' : 'consent: in your browser');
    narrator.say('');
    const tools = await session.listTools();
    narrator.outcome(`The server lists ${tools.length} tools: ${showList(tools, (tool) => plainText(tool.name, 40))}`);
    const schema = (name: string) => tools.find((tool) => tool.name === name);

    await expectAllowed(session, narrator, 'list-files', schema('list-files'), 'list-files ✓');

    const before = session.provider.tokens()?.scope;
    const firstKey = boundKeyOf(session.provider.tokens()?.access_token);
    const stepUpsFrom = events.length;
    await expectAllowed(session, narrator, 'write-file', schema('write-file'), 'write-file ✓');
    const stepUp = events.slice(stepUpsFrom).find((event) => event.kind === 'authorization-started' && event.stepUp);
    const after = session.provider.tokens()?.scope;
    if (!holds(before, 'files:write')) {
        if (!stepUp || stepUp.kind !== 'authorization-started') throw new StoryDeviation('write-file succeeded without a step-up');
        if (!holds(stepUp.scope, 'files:read', 'files:write')) throw new StoryDeviation(`the step-up asked for ${showScope(stepUp.scope)}, not the union of files:read and files:write`);
    }
    if (!holds(after, 'files:read', 'files:write')) throw new StoryDeviation(`after write-file the token holds ${showScope(after)}`);

    await expectAllowed(session, narrator, 'list-files', schema('list-files'), 'list-files still ✓');
    const senderConstraint = await showSenderConstraint(session, narrator, server, firstKey);

    const refusal = await expectRefused(session, 'purge-files', schema('purge-files'));
    narrator.outcome('purge-files stays refused: retry cap reached', refusal.message);
    if (refusal.stepUps !== policy.maxStepUps) throw new StoryDeviation(`purge-files caused ${refusal.stepUps} step-ups, the cap is ${policy.maxStepUps}`);

    narrator.outcome(
        'The story went as expected.',
        `the token grew from ${showScope(before)} to ${showScope(after)} by step-up with the scope union`,
        issSummary(events),
        senderConstraint,
        `purge-files needs a scope the authorization server never grants; the client stopped after ${refusal.stepUps} step-up${refusal.stepUps === 1 ? '' : 's'}`
    );
    return 0;
}

/** How many authorization responses carried the expected iss — only those the SDK compared count — and how many went unchecked. */
function issSummary(events: SessionEvent[]): string {
    const verified = events.filter((event) => event.kind === 'issuer-verified' && event.issPresent).length;
    const unchecked = events.filter((event) => event.kind === 'issuer-unchecked').length;
    const line = `${verified} authorization ${verified === 1 ? 'response' : 'responses'} carried the expected iss`;
    return unchecked === 0 ? line : `${line}; ${unchecked} could not be checked (no authorization server metadata, so no issuer to compare with)`;
}

/** RFC 9449: the token is bound to this client's key, and a copy of it is useless without that key. */
async function showSenderConstraint(session: Session, narrator: Narrator, server: URL, firstKey: string | undefined): Promise<string> {
    const tokens = session.provider.tokens();
    if (!tokens) throw new StoryDeviation('there is no access token after write-file');
    const dpop = await session.provider.dpop();
    if (!dpop) {
        const copied = await replayAsBearer(server, tokens.access_token);
        if (copied.status !== 200) throw new StoryDeviation(`the Bearer token replayed as is got ${copied.status}`);
        narrator.outcome('Bearer token (--no-dpop): a copy works for whoever holds it', `token_type ${tokens.token_type}; the same access token sent from elsewhere → ${copied.status}`);
        return 'Bearer tokens (--no-dpop): a copied access token works for whoever holds it';
    }
    const key = boundKeyOf(tokens.access_token);
    if (tokens.token_type.toLowerCase() !== 'dpop') throw new StoryDeviation(`the token type is ${tokens.token_type}, not DPoP`);
    if (key !== dpop.thumbprint) throw new StoryDeviation("the access token's cnf.jkt is not this client's key");
    if (firstKey !== key) throw new StoryDeviation('the step-up token is bound to another key than the first token');
    const asBearer = await replayAsBearer(server, tokens.access_token);
    const otherKey = await replayWithAnotherKey(server, tokens.access_token);
    if (asBearer.status !== 401) throw new StoryDeviation(`the bound token presented as Bearer got ${asBearer.status}, not 401`);
    if (otherKey.status !== 401) throw new StoryDeviation(`the bound token with another key's proof got ${otherKey.status}, not 401`);
    narrator.outcome(
        "DPoP: the access token works only with this client's key (RFC 9449)",
        `token_type DPoP; cnf.jkt ${key} = this client's key ✓`,
        'the token after the step-up is bound to the same key as the first one ✓',
        `the same access token without the key (as Bearer) → ${asBearer.status} ${asBearer.error ?? ''}`.trimEnd(),
        `the same access token with a proof by another key → ${otherKey.status} ${otherKey.error ?? ''}`.trimEnd()
    );
    return "both tokens were DPoP-bound to the client's key; a copy without it was refused";
}

async function expectAllowed(session: Session, narrator: Narrator, name: string, tool: Tool | undefined, title: string): Promise<CallToolResult> {
    if (!tool) throw new StoryDeviation(`the server does not list ${name}`);
    const result = await session.callTool(name, sampleArguments(tool));
    if (result.isError) throw new StoryDeviation(`${name} returned a tool error: ${resultSummary(result)}`);
    narrator.outcome(title, resultSummary(result));
    return result;
}

async function expectRefused(session: Session, name: string, tool: Tool | undefined): Promise<StepUpRefusal> {
    if (!tool) throw new StoryDeviation(`the server does not list ${name}`);
    try {
        await session.callTool(name, sampleArguments(tool));
    } catch (error) {
        if (error instanceof StepUpRefusal) return error;
        throw error;
    }
    throw new StoryDeviation(`${name} was allowed, but the authorization server should never grant its scope`);
}
