/**
 * DPoP at demo-rs (RFC 9449 §7) against the real AS and RS: a DPoP-bound
 * token works with `Authorization: DPoP` and a proof for this request; every
 * hostile proof (alg none/HS256, a private jwk, wrong htm or htu, an old or
 * future iat, a replayed jti, a wrong ath, another key) is refused with 401
 * invalid_dpop_proof under the DPoP scheme; the bound token presented as
 * Bearer is refused (§7.2); challenges name DPoP with algs (§7.1), the
 * per-tool 403 insufficient_scope too; --require-dpop refuses Bearer tokens.
 * A proof is single-use up to the last second its iat is acceptable; a full
 * replay memory (--dpop-replay-memory) answers 503 with Retry-After instead
 * of forgetting a proof. Ed25519 (RFC 9864) proofs are accepted; RSA proof
 * keys outside e=65537, 2048–4096 bits are refused, naming the rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { approvedCode, exchangeCode, type TokenSet } from './as-flow.ts';
import { hmacProof, proof, proofKey, rsaModulusOfBits, sendTwiceInItsLastSecond, unsignedProof, type ProofKey, type ProofFields } from './dpop-proofs.ts';
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

describe('proof keys and algorithms', () => {
    it('accepts a token bound to an Ed25519 key with a proof signed with alg Ed25519 (RFC 9864)', async () => {
        const ed25519 = await proofKey('Ed25519');
        const token = await tokenFor(mcp(rs), ed25519);
        const answer = await call(rs, 'list-files', `DPoP ${token.access_token}`, await proof(ed25519, fieldsFor(rs, token.access_token)));
        expect(answer.status).toBe(200);
    });

    it('refuses an RSA proof key with exponent 3, or with a 4097-bit modulus, naming the rule (401 invalid_dpop_proof)', async () => {
        const rsa = await proofKey('RS256');
        const token = await tokenFor(mcp(rs), rsa);
        for (const jwk of [{ ...rsa.publicJwk, e: 'Aw' }, { ...rsa.publicJwk, n: rsaModulusOfBits(4097) }]) {
            const answer = await call(rs, 'list-files', `DPoP ${token.access_token}`, await proof(rsa, { ...fieldsFor(rs, token.access_token), jwk }));
            expect(answer.status).toBe(401);
            expect(answer.json).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof was refused: the DPoP proof RSA key must have exponent 65537 and a 2048 to 4096-bit modulus.' });
        }
        expect((await call(rs, 'list-files', `DPoP ${token.access_token}`, await proof(rsa, fieldsFor(rs, token.access_token)))).status).toBe(200);
    });
});

describe('replay (RFC 9449 §11.1)', () => {
    it('a proof used in the last second its iat is acceptable is refused when used again in that second', async () => {
        const [first, replay] = await sendTwiceInItsLastSecond(
            (iat) => proof(key, fieldsFor(rs, bound.access_token, { iat })),
            (dpop) => call(rs, 'list-files', `DPoP ${bound.access_token}`, dpop),
            (answer) => String(answer.json?.error_description).includes('iat is outside')
        );
        expect(first.status).toBe(200);
        expect(replay.status).toBe(401);
        expect(replay.json).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof was refused: the DPoP proof was already used (jti replayed).' });
    });

    describe('with a full replay memory (--dpop-replay-memory 2)', () => {
        let small: RunningServer;

        beforeAll(async () => {
            small = await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin, '--dpop-replay-memory', '2']);
        });

        afterAll(async () => {
            await small?.stop();
        });

        it('answers a valid new proof with 503, Retry-After and temporarily_unavailable, and forgets neither remembered proof', async () => {
            const token = await tokenFor(mcp(small), key);
            const remembered = await Promise.all([proof(key, fieldsFor(small, token.access_token)), proof(key, fieldsFor(small, token.access_token))]);
            for (const dpop of remembered) expect((await call(small, 'list-files', `DPoP ${token.access_token}`, dpop)).status).toBe(200);
            const refused = await call(small, 'list-files', `DPoP ${token.access_token}`, await proof(key, fieldsFor(small, token.access_token)));
            expect(refused.status).toBe(503);
            expect(refused.json).toEqual({
                error: 'temporarily_unavailable',
                error_description: 'The DPoP proof was not accepted: this server remembers as many DPoP proofs as it can hold; send a new proof after Retry-After.'
            });
            expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
            expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(66);
            for (const dpop of remembered) {
                const replay = await call(small, 'list-files', `DPoP ${token.access_token}`, dpop);
                expect(replay.json.error_description).toContain('already used');
            }
        });
    });
});
