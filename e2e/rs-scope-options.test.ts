/**
 * The Resource Server's two scope options, for clients that cannot step up by
 * the union: `--initial-scope` (the scopes every 401 names; default the least
 * privilege `files:read`) and `--challenge-scope held-and-required` (a tool's
 * 403 names the scopes the token holds that this RS defines, plus the one it
 * needs, in `scopes_supported` order). Real demo-rs processes against the fake
 * AS, in both protocol eras; bad values end the process in one line, exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd } from '../support/spawn.ts';
import { proof, proofKey } from './dpop-proofs.ts';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { bearerChallengeParams, mcpRequest, post, send, startRs, toolCall, type Era, type RunningRs } from './rs-fixture.ts';

let as: FakeAs;
/** `--initial-scope "files:read files:write" --challenge-scope held-and-required` */
let widened: RunningRs;
/** `--initial-scope files:read --challenge-scope required`: the defaults, spelled out. */
let strict: RunningRs;

beforeAll(async () => {
    as = await startFakeAs();
    [widened, strict] = await Promise.all([
        startRs(as.origin, ['--initial-scope', 'files:read files:write', '--challenge-scope', 'held-and-required']),
        startRs(as.origin, ['--initial-scope', 'files:read', '--challenge-scope', 'required'])
    ]);
});

afterAll(async () => {
    await Promise.all([widened?.stop(), strict?.stop()]);
    await as?.stop();
});

const tokenFor = (rs: RunningRs, scope: string) => as.mint({ audience: rs.mcpUrl, scope, clientId: 'scope-options' });

/** The `scope` a 403 insufficient_scope challenge names, after checking it is one. */
function challengedScope(answer: { status: number; headers: Headers }): string {
    expect(answer.status).toBe(403);
    const params = bearerChallengeParams(answer.headers.get('www-authenticate'));
    expect(params.error).toBe('insufficient_scope');
    return params.scope;
}

describe('--initial-scope', () => {
    it('names the given scopes in the 401 without a token, with a bad token, and in the 400 for a malformed header', async () => {
        const noToken = await post(widened, 'legacy', toolCall('list-files'));
        expect(noToken.status).toBe(401);
        expect(bearerChallengeParams(noToken.headers.get('www-authenticate'))).toMatchObject({ resource_metadata: widened.metadataUrl, scope: 'files:read files:write' });
        expect(noToken.headers.get('www-authenticate')).not.toContain('error=');

        const expired = await post(widened, 'modern', toolCall('list-files'), await as.mintBad('expired', { audience: widened.mcpUrl, scope: 'files:read' }));
        expect(expired.status).toBe(401);
        expect(bearerChallengeParams(expired.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_token', scope: 'files:read files:write' });

        const malformed = await post(widened, 'legacy', toolCall('list-files'), undefined, { authorization: 'Bearer one two' });
        expect(malformed.status).toBe(400);
        expect(bearerChallengeParams(malformed.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_request', scope: 'files:read files:write' });
    });

    it('leaves the protected-resource metadata\'s scopes_supported as it is', async () => {
        const metadata = await send(widened.metadataUrl);
        expect(metadata.json.scopes_supported).toEqual(['files:read', 'files:write', 'files:admin']);
    });

    it('given as files:read, names files:read only', async () => {
        const noToken = await post(strict, 'legacy', toolCall('list-files'));
        expect(bearerChallengeParams(noToken.headers.get('www-authenticate')).scope).toBe('files:read');
    });
});

describe.each<Era>(['legacy', 'modern'])('--challenge-scope held-and-required (%s era)', (era) => {
    it('a files:read token calling write-file → 403 naming files:read files:write', async () => {
        const answer = await post(widened, era, toolCall('write-file', { name: `${era}.txt`, content: 'x' }), await tokenFor(widened, 'files:read'));
        expect(challengedScope(answer)).toBe('files:read files:write');
    });

    it('a read-and-write token calling purge-files → 403 naming all three, in scopes_supported order', async () => {
        const answer = await post(widened, era, toolCall('purge-files'), await tokenFor(widened, 'files:write files:read'));
        expect(challengedScope(answer)).toBe('files:read files:write files:admin');
    });

    it('names only scopes this RS defines: another resource\'s scope in the token is left out', async () => {
        const answer = await post(widened, era, toolCall('purge-files'), await tokenFor(widened, 'calendar:read files:write'));
        expect(challengedScope(answer)).toBe('files:write files:admin');
    });

    it('a token that holds the scope is served, as with required', async () => {
        const answer = await post(widened, era, toolCall('write-file', { name: `${era}-ok.txt`, content: 'x' }), await tokenFor(widened, 'files:read files:write'));
        expect(answer.status).toBe(200);
        expect(answer.json.result.structuredContent).toMatchObject({ name: `${era}-ok.txt`, created: true });
    });
});

describe('--challenge-scope held-and-required under DPoP (RFC 9449 §7.1)', () => {
    it('the 403 of a DPoP-bound token names the held scopes too, under the DPoP scheme', async () => {
        const key = await proofKey();
        const token = await as.mintShaped({ aud: widened.mcpUrl, scope: 'files:read', cnf: { jkt: key.jkt } });
        const { headers, body } = mcpRequest('legacy', toolCall('write-file', { name: 'dpop.txt', content: 'x' }));
        const dpop = await proof(key, { htm: 'POST', htu: widened.mcpUrl, accessToken: token });
        const answer = await send(widened.mcpUrl, { method: 'POST', headers: { ...headers, authorization: `DPoP ${token}`, dpop }, body });
        expect(answer.status).toBe(403);
        const challenge = answer.headers.get('www-authenticate') ?? '';
        expect(challenge).toMatch(/^DPoP error="insufficient_scope"/);
        expect(challenge).toContain('scope="files:read files:write"');
    });
});

describe('--challenge-scope required', () => {
    it.each<Era>(['legacy', 'modern'])('names the needed scope only (%s era)', async (era) => {
        const answer = await post(strict, era, toolCall('purge-files'), await tokenFor(strict, 'files:read files:write'));
        expect(challengedScope(answer)).toBe('files:admin');
    });
});

describe('bad values', () => {
    const ISSUER = 'http://127.0.0.1:9';
    const INITIAL_SCOPE_LINE = 'demo-rs: --initial-scope must be scopes this RS defines, each once, separated by single spaces: files:read files:write files:admin';
    // The other refused values are checked in e2e/unit/server-usage-errors.test.ts, from the parser.
    it.each([
        ['a scope this RS does not define', ['--initial-scope', 'files:read files:delete'], INITIAL_SCOPE_LINE]
    ])('%s → one line, exit status 2', async (_name, args, line) => {
        const run = await runToEnd('demo-rs/main.ts', ['--port', '0', '--issuer', ISSUER, ...args]);
        expect(run.code).toBe(2);
        expect(run.stderr.trim().split('\n')).toEqual([line]);
    });

    it('--help lists both flags', async () => {
        const run = await runToEnd('demo-rs/main.ts', ['--help']);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('--initial-scope "<scopes>"');
        expect(run.stdout).toContain('--challenge-scope required|held-and-required');
    });
});
