/**
 * `npm run demo` end to end: the runner starts the real AS and RS, the client
 * tells the whole story headless, and everything is stopped afterwards.
 * This is the test behind the README's "what the demo shows".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runToEnd, type FinishedRun } from '../support/spawn.ts';
import { acceptsConnection } from './tcp.ts';


describe('npm run demo (headless)', () => {
    let run: FinishedRun;
    let lines: string[];

    beforeAll(async () => {
        run = await runToEnd('scripts/demo.ts', [], { env: { CI: '1', NO_COLOR: '1' }, timeoutMs: 50_000 });
        lines = run.stdout.split('\n');
    });

    const step = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));

    it('exits 0 with nothing on stderr', () => {
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
    });

    it('says it approved the consent page itself, as the user', () => {
        expect(run.stdout).toContain('consent: headless');
        expect(run.stdout).toContain('headless: approved the consent page as the user');
    });

    it('tells the steps in order: 401, registration, consent, iss, list, 403, union, write, list, DPoP, cap', () => {
        const order = [
            /^ ?\d+\. Connecting without a token → 401 Unauthorized$/,
            /^ ?\d+\. Registration: client_id \S+, redirect_uri http:\/\/127\.0\.0\.1:\d+\/callback$/,
            /^ ?\d+\. Consent: asking for "files:read"$/,
            /iss "http:\/\/127\.0\.0\.1:\d+" is the expected issuer ✓/,
            /^ ?\d+\. list-files ✓$/,
            /^ ?\d+\. write-file → 403 insufficient_scope$/,
            /^ ?\d+\. Step-up: asking for the union "files:read files:write"$/,
            /^ ?\d+\. Token now holds "files:read files:write"$/,
            /^ ?\d+\. write-file ✓$/,
            /^ ?\d+\. list-files still ✓$/,
            /^ ?\d+\. DPoP: the access token works only with this client's key \(RFC 9449\)$/,
            /^ ?\d+\. purge-files → 403 insufficient_scope$/,
            /^ ?\d+\. purge-files stays refused: retry cap reached$/
        ];
        const positions = order.map(step);
        expect(positions.every((position) => position >= 0), `missing: ${order.filter((_, i) => positions[i]! < 0).join(', ')}`).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    });

    it('the challenge named files:read and the issuer the AS actually has', () => {
        const asOrigin = /^authorization server\s+(http:\/\/127\.0\.0\.1:\d+)$/m.exec(run.stdout)?.[1];
        expect(asOrigin).toBeDefined();
        expect(run.stdout).toContain('the challenge: scope "files:read"');
        expect(run.stdout).toContain(`iss "${asOrigin}" is the expected issuer ✓`);
    });

    it('steps up for purge-files exactly once: files:admin is asked for but never granted', () => {
        const adminStepUps = lines.filter((line) => /Step-up: asking for the union "files:read files:write files:admin"/.test(line));
        expect(adminStepUps).toHaveLength(1);
        expect(run.stdout).toContain('not granted: "files:admin"');
    });

    it('list-files after the step-up shows the file write-file created', () => {
        const before = lines[step(/^ ?\d+\. list-files ✓$/) + 1];
        const after = lines[step(/^ ?\d+\. list-files still ✓$/) + 1];
        expect(before).not.toContain('story.txt');
        expect(after).toContain('story.txt');
    });

    it('shows the DPoP step: both tokens bound to the client key, the copy refused without it and with another key', () => {
        const at = step(/^ ?\d+\. DPoP: the access token works only with this client's key/);
        const details = lines.slice(at + 1, at + 5);
        expect(details[0]).toMatch(/^ {4}token_type DPoP; cnf\.jkt [\w-]{43} = this client's key ✓$/);
        expect(details[1]).toBe('    the token after the step-up is bound to the same key as the first one ✓');
        expect(details[2]).toBe('    the same access token without the key (as Bearer) → 401 invalid_token');
        expect(details[3]).toBe('    the same access token with a proof by another key → 401 invalid_dpop_proof');
        expect(lines.filter((line) => line === "    token_type DPoP: bound to this client's key (RFC 9449)").length).toBeGreaterThanOrEqual(2);
    });

    it('leaves no server running once it has exited', async () => {
        const origins = [...run.stdout.matchAll(/^(?:authorization|resource) server\s+(http:\/\/127\.0\.0\.1:\d+)/gm)].map((m) => m[1]!);
        expect(origins).toHaveLength(2);
        for (const origin of origins) expect(await acceptsConnection('127.0.0.1', Number(new URL(origin).port))).toBe(false);
    });
});
