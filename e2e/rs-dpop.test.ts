/**
 * DPoP at demo-rs (RFC 9449 §7) against the real AS and RS: a DPoP-bound
 * token works with `Authorization: DPoP` and a proof for this request; every
 * hostile proof (alg none/HS256, a private jwk, wrong htm or htu, an old or
 * future iat, a replayed jti, a wrong ath, another key) is refused with 401
 * invalid_dpop_proof under the DPoP scheme; the bound token presented as
 * Bearer is refused (§7.2); challenges name DPoP with algs (§7.1), the
 * per-tool 403 insufficient_scope too; --require-dpop refuses Bearer tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { approvedCode, exchangeCode, type TokenSet } from './as-flow.ts';
import { hmacProof, proof, proofKey, unsignedProof, type ProofKey, type ProofFields } from './dpop-proofs.ts';
import { mcpRequest, send, toolCall, type HttpAnswer } from './rs-fixture.ts';

let as: RunningServer;
let rs: RunningServer;
let strictRs: RunningServer;
let key: ProofKey;
let otherKey: ProofKey;
let bound: TokenSet;
let bearer: TokenSet;

const mcp = (server: RunningServer) => `${server.origin}/mcp`;

/** A token for `resource` from the real AS: DPoP-bound to `withKey`, or Bearer without it. */
async function tokenFor(resource: string, withKey?: ProofKey, scope = 'files:read'): Promise<TokenSet> {
    const grant = await approvedCode(as.origin, { resource, scope });
    const headers: Record<string, string> = withKey ? { dpop: await proof(withKey, { htm: 'POST', htu: `${as.origin}/token` }) } : {};
    const response = await exchangeCode(as.origin, grant, {}, headers);
    if (response.status !== 200) throw new Error(`token: ${response.status}`);
    return (await response.json()) as TokenSet;
}

function call(server: RunningServer, tool: string, authorization: string | undefined, dpop?: string): Promise<HttpAnswer> {
    const { headers, body } = mcpRequest('legacy', toolCall(tool));
    const extra: Record<string, string> = {};
    if (authorization) extra.authorization = authorization;
    if (dpop) extra.dpop = dpop;
    return send(mcp(server), { method: 'POST', headers: { ...headers, ...extra }, body });
}

const fieldsFor = (server: RunningServer, token: string, overrides: Partial<ProofFields> = {}): ProofFields => ({ htm: 'POST', htu: mcp(server), accessToken: token, ...overrides });

beforeAll(async () => {
    as = await startServer('demo-as/main.ts', ['--port', '0']);
    [rs, strictRs, key, otherKey] = await Promise.all([
        startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin]),
        startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin, '--require-dpop']),
        proofKey(),
        proofKey()
    ]);
    [bound, bearer] = await Promise.all([tokenFor(mcp(rs), key), tokenFor(mcp(rs))]);
});

afterAll(async () => {
    await Promise.all([rs?.stop(), strictRs?.stop(), as?.stop()]);
});

describe('a DPoP-bound token', () => {
    it('is accepted with the DPoP scheme and a proof for this request', async () => {
        const answer = await call(rs, 'list-files', `DPoP ${bound.access_token}`, await proof(key, fieldsFor(rs, bound.access_token)));
        expect(answer.status).toBe(200);
    });

    it('presented as Bearer → 401 invalid_token (RFC 9449 §7.2)', async () => {
        const answer = await call(rs, 'list-files', `Bearer ${bound.access_token}`);
        expect(answer.status).toBe(401);
        expect(answer.json.error).toBe('invalid_token');
        expect(answer.headers.get('www-authenticate')).toContain('DPoP algs="ES256');
    });

    it('with the DPoP scheme but no proof → 401 invalid_dpop_proof', async () => {
        const answer = await call(rs, 'list-files', `DPoP ${bound.access_token}`);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof", algs="ES256 [^"]*", resource_metadata="[^"]+", scope="files:read"$/);
    });

    it.each<[string, () => Promise<string>]>([
        ['alg none', async () => unsignedProof(key, fieldsFor(rs, bound.access_token))],
        ['HS256', () => hmacProof(fieldsFor(rs, bound.access_token))],
        ['private key material in the jwk', () => proof(key, { ...fieldsFor(rs, bound.access_token), jwk: key.privateJwk })],
        ['a wrong htm', () => proof(key, fieldsFor(rs, bound.access_token, { htm: 'GET' }))],
        ['a wrong htu (another path)', () => proof(key, fieldsFor(rs, bound.access_token, { htu: `${rs.origin}/other` }))],
        ['a wrong htu (the AS)', () => proof(key, fieldsFor(rs, bound.access_token, { htu: `${as.origin}/mcp` }))],
        ['an old iat', () => proof(key, fieldsFor(rs, bound.access_token, { iat: Math.floor(Date.now() / 1000) - 600 }))],
        ['a future iat', () => proof(key, fieldsFor(rs, bound.access_token, { iat: Math.floor(Date.now() / 1000) + 600 }))],
        ['a wrong ath', () => proof(key, fieldsFor(rs, bound.access_token, { accessToken: bearer.access_token }))],
        ['another key', () => proof(otherKey, fieldsFor(rs, bound.access_token))]
    ])('with a proof with %s → 401 invalid_dpop_proof', async (_label, make) => {
        const answer = await call(rs, 'list-files', `DPoP ${bound.access_token}`, await make());
        expect(answer.status).toBe(401);
        expect(answer.json.error).toBe('invalid_dpop_proof');
        expect(answer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof", algs=/);
    });

    it('with a replayed proof → 401 invalid_dpop_proof', async () => {
        const once = await proof(key, fieldsFor(rs, bound.access_token));
        expect((await call(rs, 'list-files', `DPoP ${bound.access_token}`, once)).status).toBe(200);
        const replay = await call(rs, 'list-files', `DPoP ${bound.access_token}`, once);
        expect(replay.status).toBe(401);
        expect(replay.json.error_description).toContain('already used');
    });

    it('lacking the tool scope → 403 insufficient_scope under the DPoP scheme with algs (RFC 9449 §7.1)', async () => {
        const answer = await call(rs, 'write-file', `DPoP ${bound.access_token}`, await proof(key, fieldsFor(rs, bound.access_token)));
        expect(answer.status).toBe(403);
        const challenge = answer.headers.get('www-authenticate') ?? '';
        expect(challenge).toMatch(/^DPoP error="insufficient_scope"/);
        expect(challenge).toContain('scope="files:write"');
        expect(challenge).toContain('resource_metadata="');
        expect(challenge).toMatch(/algs="ES256 [^"]*"$/);
    });
});

describe('challenges and Bearer tokens', () => {
    it('the 401 without a token offers Bearer and DPoP with algs', async () => {
        const answer = await call(rs, 'list-files', undefined);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="[^"]+", scope="files:read", DPoP algs="ES256 [^"]*"$/);
    });

    it('an unbound token still works as Bearer, and is refused under the DPoP scheme', async () => {
        expect((await call(rs, 'list-files', `Bearer ${bearer.access_token}`)).status).toBe(200);
        const answer = await call(rs, 'list-files', `DPoP ${bearer.access_token}`, await proof(key, fieldsFor(rs, bearer.access_token)));
        expect(answer.status).toBe(401);
        expect(answer.json.error).toBe('invalid_token');
    });

    it('the Bearer 403 stays a Bearer challenge', async () => {
        const answer = await call(rs, 'write-file', `Bearer ${bearer.access_token}`);
        expect(answer.status).toBe(403);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/);
    });
});

describe('--require-dpop', () => {
    it('refuses a Bearer token and challenges with DPoP only', async () => {
        const token = await tokenFor(mcp(strictRs));
        const answer = await call(strictRs, 'list-files', `Bearer ${token.access_token}`);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token", algs="ES256 [^"]*", resource_metadata=/);
        expect((await call(strictRs, 'list-files', undefined)).headers.get('www-authenticate')).toMatch(/^DPoP algs="ES256 [^"]*", resource_metadata=/);
    });

    it('accepts a DPoP-bound token with its proof', async () => {
        const token = await tokenFor(mcp(strictRs), key);
        const answer = await call(strictRs, 'list-files', `DPoP ${token.access_token}`, await proof(key, fieldsFor(strictRs, token.access_token)));
        expect(answer.status).toBe(200);
    });
});
