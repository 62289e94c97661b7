/**
 * The v1 SDK client (`@modelcontextprotocol/sdk` 1.32.x, examples/v1-sdk-client.ts)
 * against the real demo AS and RS, and `npm run compare` as observed.
 *
 * The first part is interop: the same AS and RS serve the client most of the
 * field runs. The second part pins what each SDK does today at the step-up and
 * with a wrong `iss`, fact by fact, exactly as the comparison table reports
 * it — so when an SDK release changes one of those behaviours, a test here
 * fails and names the fact that moved, instead of the tutorial drifting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd, type FinishedRun } from '../support/spawn.ts';
import { startStack, type Stack } from './stack.ts';
import type { StoryFacts } from '../examples/v1-sdk-client.ts';
import type { ComparedColumn, Row } from '../scripts/compare.ts';

const V1 = 'examples/v1-sdk-client.ts';

describe('the v1 SDK client against the demo AS and RS', () => {
    let stack: Stack;
    let run: FinishedRun;
    let facts: StoryFacts;

    beforeAll(async () => {
        stack = await startStack();
        run = await runToEnd(V1, ['--server', stack.mcpUrl, '--json'], { env: { NO_COLOR: '1' } });
        facts = JSON.parse(run.stdout) as StoryFacts;
    });

    afterAll(async () => {
        await stack?.stop();
    });

    it('connects through 401 → discovery → registration → consent → code, in the 2025-11-25 lifecycle', () => {
        expect(run.code).toBe(0);
        expect(facts.sdk).toMatch(/^@modelcontextprotocol\/sdk 1\.32\.\d+$/);
        expect(facts.protocolVersion).toBe('2025-11-25');
        const { connect } = facts.steps;
        expect(connect.outcome).toEqual({ ok: true, text: 'connected to scoped-tools-demo-rs' });
        expect(connect.challenges).toEqual([{ status: 401, scope: 'files:read' }]);
        expect(connect.authorizeScopes).toEqual(['files:read']);
        expect(connect.tokenRequests).toEqual([{ grantType: 'authorization_code', status: 200, scope: 'files:read', tokenType: 'Bearer' }]);
        expect(connect.tokenScope).toBe('files:read');
        expect(stack.as.stdout).toContain(`register client_id=${facts.clientId} status=201`);
    });

    it('list-files works with the v1 token, and the RS logged the call under its client_id', () => {
        expect(facts.steps.listFiles.outcome).toMatchObject({ ok: true, text: expect.stringContaining('README.md') });
        expect(stack.rs.stdout).toContain(`call tool=list-files client_id=${facts.clientId} status=200`);
    });

    it('prints numbered steps for a person without --json', async () => {
        const human = await runToEnd(V1, ['--server', stack.mcpUrl], { env: { NO_COLOR: '1' } });
        expect(human.code).toBe(0);
        expect(human.stdout).toMatch(/^The scoped-tools story on @modelcontextprotocol\/sdk 1\.32\.\d+ \(refresh token kept\)/);
        for (const step of ['1. connect ✓', '2. list-files ✓', '3. write-file ', '4. list-files again ✓', '5. iss probe: ']) expect(human.stdout).toContain(step);
        expect(human.stdout).not.toMatch(/eyJ[\w-]+\./);
    });

    it('without --server: one line on stderr and exit 2', async () => {
        const bad = await runToEnd(V1, []);
        expect(bad.code).toBe(2);
        expect(bad.stderr.trim().split('\n')).toEqual(['v1-sdk-client: --server <url> is required']);
    });
});

describe('npm run compare: the facts as observed', () => {
    let run: FinishedRun;
    let columns: Record<string, ComparedColumn>;
    let rows: Row[];

    beforeAll(async () => {
        run = await runToEnd('scripts/compare.ts', ['--json'], { env: { NO_COLOR: '1' }, timeoutMs: 120_000 });
        const output = JSON.parse(run.stdout) as { columns: ComparedColumn[]; rows: Row[] };
        columns = Object.fromEntries(output.columns.map((column) => [column.label, column]));
        rows = output.rows;
    });

    const steps = (label: string) => columns[label]!.facts.steps;
    const row = (fact: string) => rows.find((candidate) => candidate.fact === fact)?.values;

    it('runs five clients against one AS and RS and exits 0', () => {
        expect(run.code).toBe(0);
        expect(Object.keys(columns)).toEqual(['v1', 'v1, no refresh token', 'v2', 'v2, 2026-07-28', 'v2, DPoP']);
        expect(row('protocol')).toEqual(['2025-11-25', '2025-11-25', '2025-11-25', '2026-07-28', '2025-11-25']);
    });

    it('v1 keeps getting Bearer tokens from the DPoP-capable AS; only the v2 client with a DPoP session gets DPoP (RFC 9449)', () => {
        expect(row('token type')).toEqual(['Bearer', 'Bearer', 'Bearer', 'Bearer', 'DPoP']);
    });

    it('every client starts the same: consent for files:read, list-files ✓, write-file → 403 naming files:write', () => {
        for (const label of Object.keys(columns)) {
            expect(steps(label).connect.authorizeScopes, label).toEqual(['files:read']);
            expect(steps(label).listFiles.outcome.ok, label).toBe(true);
            expect(steps(label).writeFile.challenges[0], label).toEqual({ status: 403, error: 'insufficient_scope', scope: 'files:write' });
        }
    });

    it('v1 with a refresh token: refreshes (RFC 6749 §6 keeps files:read), opens no /authorize, and gives up on write-file', () => {
        const { writeFile, listFilesAgain } = steps('v1');
        expect(writeFile.tokenRequests).toEqual([{ grantType: 'refresh_token', status: 200, scope: 'files:read', tokenType: 'Bearer' }]);
        expect(writeFile.authorizeScopes).toEqual([]);
        expect(writeFile.challenges).toEqual([
            { status: 403, error: 'insufficient_scope', scope: 'files:write' },
            { status: 403, error: 'insufficient_scope', scope: 'files:write' }
        ]);
        expect(writeFile.outcome).toEqual({ ok: false, error: 'Error: Streamable HTTP error: Server returned 403 after trying upscoping' });
        expect(writeFile.tokenScope).toBe('files:read');
        expect(listFilesAgain.outcome.ok).toBe(true);
        expect(listFilesAgain.tokenScope).toBe('files:read');
    });

    it('v1 without a refresh token: asks for the challenged scope alone, so each tool takes a scope from the other', () => {
        const { writeFile, listFilesAgain } = steps('v1, no refresh token');
        expect(writeFile.authorizeScopes).toEqual(['files:write']);
        expect(writeFile.tokenRequests).toEqual([{ grantType: 'authorization_code', status: 200, scope: 'files:write', tokenType: 'Bearer' }]);
        expect(writeFile.outcome.ok).toBe(true);
        expect(writeFile.tokenScope).toBe('files:write');
        expect(listFilesAgain.challenges).toEqual([{ status: 403, error: 'insufficient_scope', scope: 'files:read' }]);
        expect(listFilesAgain.authorizeScopes).toEqual(['files:read']);
        expect(listFilesAgain.outcome.ok).toBe(true);
        expect(listFilesAgain.tokenScope).toBe('files:read');
        expect(row('consents in the story')?.[1]).toBe('3');
    });

    it.each([
        ['v2', 'Bearer'],
        ['v2, 2026-07-28', 'Bearer'],
        ['v2, DPoP', 'DPoP']
    ])('%s: skips the refresh, asks for the union, and list-files needs nothing new', (label, tokenType) => {
        const { writeFile, listFilesAgain } = steps(label);
        expect(writeFile.tokenRequests).toEqual([{ grantType: 'authorization_code', status: 200, scope: 'files:read files:write', tokenType }]);
        expect(writeFile.authorizeScopes).toEqual(['files:read files:write']);
        expect(writeFile.outcome.ok).toBe(true);
        expect(writeFile.tokenScope).toBe('files:read files:write');
        expect(listFilesAgain).toMatchObject({ challenges: [], authorizeScopes: [], tokenRequests: [], tokenScope: 'files:read files:write' });
        expect(listFilesAgain.outcome.ok).toBe(true);
    });

    it('a callback whose iss names another issuer: v1 redeems the code, v2 refuses before redeeming (RFC 9207)', () => {
        for (const label of ['v1', 'v1, no refresh token']) {
            expect(columns[label]!.facts.issProbe, label).toMatchObject({ codeRedeemed: true, outcome: { ok: true } });
        }
        for (const label of ['v2', 'v2, 2026-07-28', 'v2, DPoP']) {
            const { issProbe } = columns[label]!.facts;
            expect(issProbe.codeRedeemed, label).toBe(false);
            expect(issProbe.outcome, label).toMatchObject({ ok: false, error: expect.stringMatching(/^IssuerMismatchError \(authorization_response\): expected "http:\/\/127\.0\.0\.1:\d+"$/) });
        }
    });

    it("the AS's own log agrees: which grants each client_id made, story and probe together", () => {
        const grants = (label: string) => columns[label]!.asTokenLog.map((line) => `${line.grantType}:${line.status}:${line.scope}`);
        expect(grants('v1')).toEqual(['authorization_code:200:files:read', 'refresh_token:200:files:read', 'authorization_code:200:files:read']);
        expect(grants('v1, no refresh token')).toEqual([
            'authorization_code:200:files:read',
            'authorization_code:200:files:write',
            'authorization_code:200:files:read',
            'authorization_code:200:files:read'
        ]);
        // v2's probe code never reached the AS: two grants, both from the story.
        for (const label of ['v2', 'v2, 2026-07-28']) expect(grants(label)).toEqual(['authorization_code:200:files:read', 'authorization_code:200:files:read files:write']);
    });

    it('the table shows those facts', () => {
        expect(row('step-up: refresh grant')).toEqual(['tried → 200, grants files:read', 'not tried', 'not tried', 'not tried', 'not tried']);
        expect(row('step-up: scope on /authorize')).toEqual(['(none opened)', 'files:write', 'files:read files:write', 'files:read files:write', 'files:read files:write']);
        expect(row('token then holds')).toEqual(['files:read', 'files:write', 'files:read files:write', 'files:read files:write', 'files:read files:write']);
        expect(row('write-file')).toEqual(['✗ (see notes)', '✓', '✓', '✓', '✓']);
        expect(row('list-files again')).toEqual(['✓', '✓ after a 403 and consent for files:read', '✓', '✓', '✓']);
        expect(row('wrong-iss callback: code redeemed')).toEqual(['yes', 'yes', 'no (IssuerMismatchError)', 'no (IssuerMismatchError)', 'no (IssuerMismatchError)']);
    });
});
