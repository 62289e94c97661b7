/**
 * `--trace` end to end: `npm run demo -- --trace` and `npm run mix-up` with
 * `--trace` run once each, with a witness preloaded into the client process
 * (fixtures/secret-spy.ts) that keeps every secret-looking value crossing the
 * wire. Then: the demo's diagram holds the story's arrows and notes in order,
 * with one terminal line per exchange; no value the witness saw appears in
 * either trace; the mix-up's trace notes the iss refusal and redeems nothing;
 * and the tutorial's diagram and the README's excerpt are this run's picture.
 * A browser run (the test plays the browser) shows the callbacks the listener
 * received, one turned away.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOrigins, fullTraceBlock, mermaidBlock, tracedDemo, TUTORIAL, TUTORIAL_PORTS, tutorialDiagram } from '../scripts/tutorial-diagram.ts';
import { PROJECT_ROOT, runToEnd, type FinishedRun } from '../support/spawn.ts';
import { callbackUrlFor, printedUrls, startClient, startHostile, type Servers } from './client-harness.ts';
import { tempDir } from './stack.ts';
import { normalise } from './tutorial-runner.ts';

const FIXED_PORTS = new Set<number>(Object.values(TUTORIAL_PORTS));

/** A diagram line as GitHub shows it: entity codes decoded, line breaks as spaces. */
const readable = (line: string) =>
    line
        .trim()
        .replace(/<br\/>/g, ' ')
        .replace(/#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

const diagramLines = (trace: string) => (mermaidBlock(trace) ?? '').split('\n').map(readable);

/** The positions of `patterns`, each found after the one before (-1 once one is missing). */
function inOrder(lines: string[], patterns: RegExp[]): number[] {
    const found: number[] = [];
    let from = 0;
    for (const pattern of patterns) {
        const at = lines.findIndex((line, index) => index >= from && pattern.test(line));
        found.push(at);
        if (at < 0) break;
        from = at + 1;
    }
    return found;
}

function expectInOrder(lines: string[], patterns: RegExp[]): void {
    const found = inOrder(lines, patterns);
    const missing = found.indexOf(-1);
    expect(missing, missing < 0 ? '' : `not found after line ${found[missing - 1] ?? 0}: ${patterns[missing]}\n${lines.join('\n')}`).toBe(-1);
}

/**
 * A diagram without what the run's timing decides: the SDK opens its optional SSE stream (`GET /mcp`,
 * answered 405 here) alongside the next call, so where that exchange falls (and whether it is answered
 * before the client closes), and so the numbers and proof labels after it, differ from run to run. The rest — every arrow, value and note — must match.
 */
function settled(diagram: string): string {
    const lines = normalise(diagram, FIXED_PORTS).split('\n');
    // The probe's arrow is `->>` when answered, `-x` when the client closed before the answer; its answer follows it.
    const probe = /-(>>|x)RS: \d+\. GET \/mcp\b/;
    const kept = lines.filter((line, index) => !probe.test(line) && !(probe.test(lines[index - 1] ?? '') && /^\s*RS-->>/.test(line)));
    return kept.map((line) => line.replace(/(->>\w+: )\d+\. /, '$1n. ').replace(/proof#35;\d+/g, 'proof#35;n')).join('\n');
}

describe('--trace', () => {
    const spy = tempDir('scoped-tools-trace-spy-');
    const traces = tempDir('scoped-tools-traces-');
    let demo: FinishedRun & { trace: string };
    let mixUp: FinishedRun & { trace: string };
    let secrets: Map<string, Set<string>>;

    beforeAll(async () => {
        // tsx loaded twice (here and by the spawn) makes Node ≥ 26 warn that tsx uses module.register(); only that warning is silenced.
        const witness = `--disable-warning=DEP0205 --import tsx --import ${resolve(PROJECT_ROOT, 'e2e/fixtures/secret-spy.ts')}`;
        const env = { SECRET_SPY_DIR: spy.path, NODE_OPTIONS: witness, NO_COLOR: '1' };
        const mixUpFile = join(traces.path, 'mix-up.md');
        // One after the other: five servers starting at once on two busy cores can miss their ready timeout.
        demo = await tracedDemo(env);
        const mixUpRun = await runToEnd('scripts/mix-up-attack.ts', ['--trace', mixUpFile], { env, timeoutMs: 100_000 });
        mixUp = { ...mixUpRun, trace: readFileSync(mixUpFile, 'utf8') };
        secrets = new Map();
        for (const file of readdirSync(spy.path)) {
            for (const [kind, values] of Object.entries(JSON.parse(readFileSync(join(spy.path, file), 'utf8')) as Record<string, string[]>)) {
                secrets.set(kind, new Set([...(secrets.get(kind) ?? []), ...values]));
            }
        }
    }, 120_000);

    afterAll(() => {
        spy.remove();
        traces.remove();
    });

    it('the demo exits 0 and says where it wrote the trace', () => {
        expect(demo.stderr).toBe('');
        expect(demo.code).toBe(0);
        expect(demo.stdout).toMatch(/^trace: \d+ HTTP exchanges written to \S+demo-trace\.md$/m);
        expect(demo.trace).toMatch(/^# Trace: demo-client story against http:\/\/127\.0\.0\.1:\d+\/mcp$/m);
    });

    it("the demo's diagram holds the story's arrows and notes, in order", () => {
        const lines = diagramLines(demo.trace);
        expect(lines[0]).toBe('sequenceDiagram');
        expectInOrder(lines, [
            /^participant U as headless user agent$/,
            /^participant L as callback listener 127\.0\.0\.1:\d+$/,
            /^participant C as demo-client$/,
            /^participant RS as resource server 127\.0\.0\.1:\d+$/,
            /^participant AS as authorization server 127\.0\.0\.1:\d+$/,
            /^C->>RS: 1\. POST \/mcp initialize$/,
            // One header, two challenges, every parameter in the order sent (RFC 9110 §11.6.1; RFC 9449 §7.1 algs).
            /^RS-->>C: 401 WWW-Authenticate: Bearer resource_metadata=http:\S+\/\.well-known\/oauth-protected-resource\/mcp, scope="files:read", DPoP algs="ES256 [\w ]*EdDSA[\w ]*"$/,
            /^C->>RS: \d+\. GET \/\.well-known\/oauth-protected-resource\/mcp$/,
            /^RS-->>C: 200 authorization_servers=\["http:\/\/127\.0\.0\.1:\d+"\]/,
            /^C->>AS: \d+\. GET \/\.well-known\/oauth-authorization-server$/,
            /^AS-->>C: 200 issuer="http:\/\/127\.0\.0\.1:\d+" authorization_response_iss_parameter_supported=true$/,
            /^C->>AS: \d+\. POST \/register /,
            /^AS-->>C: 201 .*client_id=client#1$/,
            /^U->>AS: \d+\. GET \/authorize scope="files:read" .*code_challenge_method=S256 state=state#1\b/,
            /^AS-->>U: 200 Set-Cookie: cookie#1$/,
            /^U->>AS: \d+\. POST \/authorize\/decision decision=approve, Cookie: cookie#1$/,
            /^AS-->>U: 302 Location: http:\/\/127\.0\.0\.1:\d+\/callback, code=code#1 state=state#1, iss="http:\/\/127\.0\.0\.1:\d+"/,
            /^U->>L: \d+\. GET \/callback code=code#1, state=state#1 iss="http:/,
            /^L-->>U: 200 state ✓ matches the pending authorization, iss ✓ the expected issuer$/,
            /^C->>AS: \d+\. POST \/token grant_type=authorization_code .*code=code#1, code_verifier=verifier#1\b/,
            /^AS-->>C: 200 .*token_type=(Bearer|DPoP)[, ]+scope="files:read"[, ]+access_token=token#1[, ]+refresh_token=refresh#1\b/,
            /^C->>RS: \d+\. POST \/mcp tools\/list, Authorization: (Bearer|DPoP) token#1\b/,
            /^C->>RS: \d+\. POST \/mcp tools\/call list-files, Authorization: (Bearer|DPoP) token#1\b/,
            /^RS-->>C: 200$/,
            /^C->>RS: \d+\. POST \/mcp tools\/call write-file, Authorization: (Bearer|DPoP) token#1\b/,
            /^RS-->>C: 403 WWW-Authenticate: DPoP error="insufficient_scope", error_description=\(not shown\), scope="files:write", resource_metadata=http:\S+\/mcp, algs="ES256 [\w ]*EdDSA[\w ]*"$/,
            /^Note over C: union \(SEP-2350\): held "files:read" ∪ challenged "files:write" → asks for "files:read files:write"$/,
            /^Note over C: refresh bypassed: a refresh cannot widen scope \(RFC 6749 §6\), so a new authorization$/,
            /^U->>AS: \d+\. GET \/authorize scope="files:read files:write" .*state=state#2$/,
            /^L-->>U: 200 state ✓ .*iss ✓/,
            /^C->>AS: \d+\. POST \/token grant_type=authorization_code .*code=code#2, code_verifier=verifier#2\b/,
            /^AS-->>C: 200 .*token_type=(Bearer|DPoP)[, ]+scope="files:read files:write"[, ]+access_token=token#2[, ]+refresh_token=refresh#2\b/,
            /^C->>RS: \d+\. POST \/mcp tools\/call write-file, Authorization: (Bearer|DPoP) token#2\b/,
            /^RS-->>C: 200$/,
            /^C->>RS: \d+\. POST \/mcp tools\/call list-files, Authorization: (Bearer|DPoP) token#2\b/,
            /^RS-->>C: 200$/,
            /^C->>RS: \d+\. POST \/mcp tools\/call purge-files, Authorization: (Bearer|DPoP) token#2\b/,
            /^RS-->>C: 403 WWW-Authenticate: DPoP error="insufficient_scope", error_description=\(not shown\), scope="files:admin", /,
            /^Note over C: union \(SEP-2350\): held "files:read files:write" ∪ challenged "files:admin"/,
            /^U->>AS: \d+\. GET \/authorize scope="files:read files:write files:admin" /,
            /^AS-->>C: 200 .*token_type=(Bearer|DPoP)[, ]+scope="files:read files:write"[, ]+access_token=token#3\b/,
            /^C->>RS: \d+\. POST \/mcp tools\/call purge-files, Authorization: (Bearer|DPoP) token#3\b/,
            /^RS-->>C: 403 WWW-Authenticate: DPoP error="insufficient_scope", error_description=\(not shown\), scope="files:admin", /,
            /^Note over C: retry cap: purge-files still 403 after 1 step-up \(--max-step-up-retries 1\), stop$/
        ]);
        // The refresh grant is never used: every step-up widens the scope.
        expect(lines.filter((line) => line.includes('grant_type=refresh_token'))).toEqual([]);
    });

    it('has one terminal line per exchange under the diagram, numbered as the arrows', () => {
        const requests = diagramLines(demo.trace).filter((line) => /^\w+(->>|-x)\w+: \d+\. /.test(line));
        const text = /```text\n([\s\S]*?)\n```/.exec(demo.trace)?.[1] ?? '';
        const exchanges = text.split('\n').filter((line) => /^ *\d+\. /.test(line));
        expect(exchanges.length).toBeGreaterThanOrEqual(30);
        expect(exchanges).toHaveLength(requests.length);
        expect(exchanges.map((line) => Number(/^ *(\d+)\./.exec(line)![1]))).toEqual(requests.map((_, index) => index + 1));
        expect(exchanges[0]).toMatch(/^ +1\. client → RS: POST \/mcp initialize ⇒ 401, WWW-Authenticate: Bearer resource_metadata=\S+, scope="files:read", DPoP algs="ES256 /);
        expect(text).toMatch(/^ +\d+\. agent → callback: GET \/callback code=code#1 state=state#1 iss=".+" ⇒ 200, state ✓/m);
        expect(text).toMatch(/^ +note: retry cap: purge-files/m);
    });

    it('no secret value seen on the wire appears in any trace', () => {
        // The witness saw the run's secrets (so this test can fail) …
        for (const [kind, least] of [['access_token', 3], ['refresh_token', 3], ['code', 4], ['code_verifier', 3], ['state', 4], ['cookie', 3], ['authorization', 3], ['client_id', 2]] as const) {
            expect(secrets.get(kind)?.size ?? 0, `values of ${kind} the witness saw`).toBeGreaterThanOrEqual(least);
        }
        // … and not one of them, nor any long random-looking value, is in a trace.
        const all = [...secrets.values()].flatMap((values) => [...values]);
        for (const [name, trace] of [['demo', demo.trace], ['mix-up', mixUp.trace]]) {
            const leaked = all.filter((value) => trace.includes(value));
            expect(leaked, `secret values in the ${name} trace`).toEqual([]);
        }
    });

    it("the mix-up's trace notes the iss refusal, redeems nothing and shows none of the attacker's text", () => {
        expect(mixUp.code).toBe(0);
        const lines = diagramLines(mixUp.trace);
        expectInOrder(lines, [
            /^AS-->>C: 200 issuer="http:\/\/127\.0\.0\.1:\d+"/,
            /^AS-->>U: 302 Location: http:\/\/127\.0\.0\.1:\d+\/callback, code=code#1 state=state#1, iss=\(not the issuer in the metadata\)/,
            /^U->>L: \d+\. GET \/callback code=code#1, state=state#1 iss=\(not the issuer in the metadata\)$/,
            /^L-->>U: 200 state ✓ matches the pending authorization, iss ✗$/,
            /^Note over C: iss refused \(RFC 9207 §2\.4\): expected "http:\/\/127\.0\.0\.1:\d+", iss names a different issuer\. Nothing redeemed, no error text shown\.$/
        ]);
        expect(lines.filter((line) => line.includes('/token'))).toEqual([]);
        for (const text of ['honest-as.example', 'attacker.example', 'session expired']) expect(mixUp.trace).not.toContain(text);
    });

    it("the tutorial's full trace is this run's diagram", () => {
        const actual = tutorialDiagram(demo.trace, demoOrigins(demo.stdout));
        const documented = fullTraceBlock(readFileSync(TUTORIAL, 'utf8'));
        expect(settled(documented ?? '(no full trace)'), 'docs/tutorial.md differs from a real run; redraw it with npx tsx scripts/tutorial-diagram.ts').toBe(settled(actual));
    });

    it("the README's excerpt is a part of this run's diagram, in order", () => {
        const actual = settled(tutorialDiagram(demo.trace, demoOrigins(demo.stdout))).split('\n');
        const excerpt = settled(mermaidBlock(readFileSync(resolve(PROJECT_ROOT, 'README.md'), 'utf8')) ?? '').split('\n');
        expect(excerpt.length).toBeGreaterThan(10);
        const exact = (line: string) => new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
        expectInOrder(actual, excerpt.map(exact));
    });
});

describe("docs/tutorial.md's diagrams", () => {
    it('opens with a short diagram before step 1, and keeps the full trace for after the steps', () => {
        const page = readFileSync(TUTORIAL, 'utf8');
        const arrows = (mermaidBlock(page) ?? '').split('\n').filter((line) => /^\s*\w+-(-)?(>>|x)\w+:/.test(line));
        expect(arrows.length).toBeGreaterThan(0);
        expect(arrows.length, 'arrows in the first diagram').toBeLessThanOrEqual(16);
        expect(page.indexOf('```mermaid'), 'the first diagram comes before step 1').toBeLessThan(page.indexOf('\n## 1. '));
        expect(page.indexOf('<!-- the full trace:'), 'the full trace comes after the last step').toBeGreaterThan(page.lastIndexOf('\n## 8. '));
    });
});

describe('--trace in a browser run', () => {
    let servers: Servers | undefined;
    const work = tempDir('scoped-tools-trace-browser-');

    afterAll(async () => {
        await servers?.stop();
        work.remove();
    });

    it('shows the callbacks the listener received from the browser, a turned-away one with its note', async () => {
        servers = await startHostile([]);
        const file = join(work.path, 'browser.md');
        const client = startClient(['call', 'list-files', '--server', servers.mcpUrl, '--interactive', '--no-open', '--store', join(work.path, 'client.json'), '--trace', file]);
        await client.line(/^Open this URL in your browser: /);
        const callback = await callbackUrlFor(printedUrls(client)[0]!);
        const forged = new URL(callback);
        forged.searchParams.delete('state');
        expect((await fetch(forged)).status).toBe(400);
        expect((await fetch(callback)).status).toBe(200);
        expect(await client.exit).toBe(0);

        const trace = readFileSync(file, 'utf8');
        expectInOrder(diagramLines(trace), [
            /^participant U as browser$/,
            /^Note over C: the browser shows the consent page for "files:read", and its requests to the AS are not seen by the client$/,
            /^U->>L: \d+\. GET \/callback code=code#1, iss="http:\/\/127\.0\.0\.1:\d+"$/,
            /^L-->>U: 400$/,
            /^Note over C: callback turned away: it carries no state$/,
            /^U->>L: \d+\. GET \/callback code=code#1, state=state#1 iss="http:/,
            /^L-->>U: 200 state ✓ matches the pending authorization, iss ✓ the expected issuer$/,
            /^C->>AS: \d+\. POST \/token grant_type=authorization_code .*code=code#1/
        ]);
        // The browser's own requests to the AS never pass through the client.
        expect(diagramLines(trace).filter((line) => line.startsWith('U->>AS'))).toEqual([]);
        for (const secret of [callback.searchParams.get('code')!, callback.searchParams.get('state')!]) expect(trace).not.toContain(secret);
    });
});

describe('--trace when the authorization response is an error', () => {
    let servers: Servers | undefined;
    const work = tempDir('scoped-tools-trace-error-');

    afterAll(async () => {
        await servers?.stop();
        work.remove();
    });

    it('draws only servers a request went to, and the callback once, as the listener received it', async () => {
        // The run ends at the error callback, while the user agent's delivery of it may still be in flight.
        servers = await startHostile(['--respond', 'error']);
        const file = join(work.path, 'error.md');
        const run = await runToEnd('demo-client/main.ts', ['call', 'list-files', '--server', servers.mcpUrl, '--headless', '--store', join(work.path, 'client.json'), '--trace', file], {
            env: { NO_COLOR: '1' }
        });
        expect(run.stderr).toBe('demo-client: the authorization server refused the authorization: access_denied');
        const lines = diagramLines(readFileSync(file, 'utf8'));
        expect(lines.filter((line) => line.startsWith('participant '))).toEqual([
            'participant U as headless user agent',
            expect.stringMatching(/^participant L as callback listener 127\.0\.0\.1:\d+$/),
            'participant C as demo-client',
            `participant RS as resource server ${new URL(servers.rs.origin).host}`,
            `participant AS as authorization server ${new URL(servers.as.origin).host}`
        ]);
        expect(lines.filter((line) => line.includes('->>L') || line.includes('-xL'))).toHaveLength(1);
        expect(lines.filter((line) => line.startsWith('L-->>U: '))).toEqual(['L-->>U: 200 state ✓ matches the pending authorization, iss ✓ the expected issuer']);
    });
});
