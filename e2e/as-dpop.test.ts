/**
 * DPoP at demo-as's /token (RFC 9449 §5, §6, §8), against the real process:
 * metadata names asymmetric proof algorithms only; a code redeemed with a
 * proof gives token_type DPoP and a JWT with cnf.jkt = the proof key; every
 * hostile proof is refused with invalid_dpop_proof and leaves the code
 * unused; the refresh token is bound to the key (another key or none is
 * refused); --require-dpop refuses Bearer; --dpop-nonce runs the §8 flow.
 * A proof is single-use up to the last second its iat is acceptable; a full
 * replay memory (--dpop-replay-memory) refuses new proofs with 503 and
 * Retry-After instead of forgetting one. Proofs signed with Ed25519 (RFC 9864)
 * are accepted; RSA proof keys outside e=65537, 2048–4096 bits are refused.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { approvedCode, completeFlow, DEFAULT_RESOURCE, exchangeCode, pkcePair, postForm, registerClient, type ApprovedCode, type TestClient, type TokenSet } from './as-flow.ts';
import { hmacProof, proof, proofKey, rsaModulusOfBits, sendTwiceInItsLastSecond, unsignedProof, type ProofKey } from './dpop-proofs.ts';

let as: RunningServer;
let strict: RunningServer;
let key: ProofKey;
let otherKey: ProofKey;

beforeAll(async () => {
    [as, strict, key, otherKey] = await Promise.all([
        startServer('demo-as/main.ts', ['--port', '0']),
        startServer('demo-as/main.ts', ['--port', '0', '--require-dpop', '--dpop-nonce']),
        proofKey(),
        proofKey()
    ]);
});

afterAll(async () => {
    await Promise.all([as?.stop(), strict?.stop()]);
});

const tokenUrl = (server: RunningServer) => `${server.origin}/token`;

function redeem(server: RunningServer, grant: ApprovedCode, dpop?: string): Promise<Response> {
    return exchangeCode(server.origin, grant, {}, dpop ? { dpop } : {});
}

function refresh(server: RunningServer, clientId: string, refreshToken: string, dpop?: string): Promise<Response> {
    return postForm(tokenUrl(server), { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken }, dpop ? { dpop } : {});
}

async function refusal(response: Response): Promise<{ status: number; error: string }> {
    const body = (await response.json()) as { error: string };
    return { status: response.status, error: body.error };
}

describe('metadata', () => {
    it('advertises asymmetric DPoP proof algorithms only (RFC 9449 §5.1)', async () => {
        const metadata = (await (await fetch(`${as.origin}/.well-known/oauth-authorization-server`)).json()) as { dpop_signing_alg_values_supported: string[] };
        expect(metadata.dpop_signing_alg_values_supported).toContain('ES256');
        expect(metadata.dpop_signing_alg_values_supported.some((alg) => alg === 'none' || alg.startsWith('HS'))).toBe(false);
    });
});

describe('code redemption with a proof', () => {
    it('issues token_type DPoP, a JWT with cnf.jkt = the proof key (RFC 9449 §6)', async () => {
        const grant = await approvedCode(as.origin);
        const response = await redeem(as, grant, await proof(key, { htm: 'POST', htu: tokenUrl(as) }));
        expect(response.status).toBe(200);
        const tokens = (await response.json()) as TokenSet;
        expect(tokens.token_type).toBe('DPoP');
        expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
    });

    it('without a proof issues Bearer tokens as before, with no cnf', async () => {
        const { tokens } = await completeFlow(as.origin);
        expect(tokens.token_type).toBe('Bearer');
        expect(decodeJwt(tokens.access_token).cnf).toBeUndefined();
    });

    it.each<[string, () => Promise<string>]>([
        ['alg none', async () => unsignedProof(key, { htm: 'POST', htu: tokenUrl(as) })],
        ['HS256', () => hmacProof({ htm: 'POST', htu: tokenUrl(as) })],
        ['private key material in the jwk', () => proof(key, { htm: 'POST', htu: tokenUrl(as), jwk: key.privateJwk })],
        ['a wrong htm', () => proof(key, { htm: 'GET', htu: tokenUrl(as) })],
        ['a wrong htu', () => proof(key, { htm: 'POST', htu: `${as.origin}/register` })],
        ['an old iat', () => proof(key, { htm: 'POST', htu: tokenUrl(as), iat: Math.floor(Date.now() / 1000) - 600 })],
        ['a future iat', () => proof(key, { htm: 'POST', htu: tokenUrl(as), iat: Math.floor(Date.now() / 1000) + 600 })]
    ])('refuses a proof with %s (invalid_dpop_proof) and leaves the code usable', async (_label, make) => {
        const grant = await approvedCode(as.origin);
        expect(await refusal(await redeem(as, grant, await make()))).toEqual({ status: 400, error: 'invalid_dpop_proof' });
        expect((await redeem(as, grant, await proof(key, { htm: 'POST', htu: tokenUrl(as) }))).status).toBe(200);
    });

    it('refuses a replayed proof (same jti)', async () => {
        const once = await proof(key, { htm: 'POST', htu: tokenUrl(as) });
        expect((await redeem(as, await approvedCode(as.origin), once)).status).toBe(200);
        expect(await refusal(await redeem(as, await approvedCode(as.origin), once))).toEqual({ status: 400, error: 'invalid_dpop_proof' });
    });
});

describe('proof keys and algorithms', () => {
    it('accepts a proof signed with alg Ed25519 (RFC 9864) and binds the tokens to its key', async () => {
        const ed25519 = await proofKey('Ed25519');
        const response = await redeem(as, await approvedCode(as.origin), await proof(ed25519, { htm: 'POST', htu: tokenUrl(as) }));
        expect(response.status).toBe(200);
        expect(decodeJwt(((await response.json()) as TokenSet).access_token).cnf).toEqual({ jkt: ed25519.jkt });
    });

    it('refuses an RSA proof key with exponent 3, or with a 4097-bit modulus, naming the rule, and leaves the code usable', async () => {
        const rsa = await proofKey('RS256');
        const grant = await approvedCode(as.origin);
        for (const jwk of [{ ...rsa.publicJwk, e: 'Aw' }, { ...rsa.publicJwk, n: rsaModulusOfBits(4097) }]) {
            const response = await redeem(as, grant, await proof(rsa, { htm: 'POST', htu: tokenUrl(as), jwk }));
            expect(response.status).toBe(400);
            expect(await response.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'the DPoP proof RSA key must have exponent 65537 and a 2048 to 4096-bit modulus' });
        }
        expect((await redeem(as, grant, await proof(rsa, { htm: 'POST', htu: tokenUrl(as) }))).status).toBe(200);
    });
});

/** A token request whose proof decides the answer: the code is no code, so a proof that passes meets invalid_grant. */
async function tokenRequestWith(server: RunningServer, client: TestClient, dpop: string): Promise<{ status: number; retryAfter: string | null; body: Record<string, string> }> {
    const grant: ApprovedCode = { client, pkce: pkcePair(), code: 'no-such-code', resource: DEFAULT_RESOURCE };
    const response = await redeem(server, grant, dpop);
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, string> };
}

describe('replay (RFC 9449 §11.1)', () => {
    it('a proof used in the last second its iat is acceptable is refused when used again in that second', async () => {
        const client = await registerClient(as.origin);
        const [first, replay] = await sendTwiceInItsLastSecond(
            (iat) => proof(key, { htm: 'POST', htu: tokenUrl(as), iat }),
            (dpop) => tokenRequestWith(as, client, dpop),
            (answer) => answer.body.error_description?.includes('iat is outside') === true
        );
        expect(first.body.error).toBe('invalid_grant');
        expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof', error_description: 'the DPoP proof was already used (jti replayed)' } });
    });

    describe('with a full replay memory (--dpop-replay-memory 2)', () => {
        let small: RunningServer;

        beforeAll(async () => {
            small = await startServer('demo-as/main.ts', ['--port', '0', '--dpop-replay-memory', '2']);
        });

        afterAll(async () => {
            await small?.stop();
        });

        it('refuses a new proof with 503, Retry-After and temporarily_unavailable, and forgets neither remembered proof', async () => {
            const client = await registerClient(small.origin);
            const remembered = await Promise.all([proof(key, { htm: 'POST', htu: tokenUrl(small) }), proof(key, { htm: 'POST', htu: tokenUrl(small) })]);
            for (const dpop of remembered) expect((await tokenRequestWith(small, client, dpop)).body.error).toBe('invalid_grant');
            const refused = await tokenRequestWith(small, client, await proof(key, { htm: 'POST', htu: tokenUrl(small) }));
            expect(refused).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable', error_description: expect.stringContaining('Retry-After') } });
            expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
            expect(Number(refused.retryAfter)).toBeLessThanOrEqual(66);
            for (const dpop of remembered) expect((await tokenRequestWith(small, client, dpop)).body.error_description).toBe('the DPoP proof was already used (jti replayed)');
        });
    });
});

describe('refresh tokens bound to the key (RFC 9449 §5)', () => {
    async function boundTokens(): Promise<{ clientId: string; tokens: TokenSet }> {
        const grant = await approvedCode(as.origin);
        const response = await redeem(as, grant, await proof(key, { htm: 'POST', htu: tokenUrl(as) }));
        return { clientId: grant.client.clientId, tokens: (await response.json()) as TokenSet };
    }

    it('refreshes with a proof by the same key: a new DPoP token bound to it', async () => {
        const { clientId, tokens } = await boundTokens();
        const response = await refresh(as, clientId, tokens.refresh_token, await proof(key, { htm: 'POST', htu: tokenUrl(as) }));
        expect(response.status).toBe(200);
        const renewed = (await response.json()) as TokenSet;
        expect(renewed.token_type).toBe('DPoP');
        expect(decodeJwt(renewed.access_token).cnf).toEqual({ jkt: key.jkt });
    });

    it('refuses a refresh with another key, and one without a proof', async () => {
        const { clientId, tokens } = await boundTokens();
        expect(await refusal(await refresh(as, clientId, tokens.refresh_token, await proof(otherKey, { htm: 'POST', htu: tokenUrl(as) })))).toEqual({ status: 400, error: 'invalid_dpop_proof' });
        expect(await refusal(await refresh(as, clientId, tokens.refresh_token))).toEqual({ status: 400, error: 'invalid_dpop_proof' });
        // Neither attempt used the refresh token up.
        expect((await refresh(as, clientId, tokens.refresh_token, await proof(key, { htm: 'POST', htu: tokenUrl(as) }))).status).toBe(200);
    });
});

describe('--require-dpop --dpop-nonce', () => {
    it('refuses a token request without a proof', async () => {
        const grant = await approvedCode(strict.origin, { resource: DEFAULT_RESOURCE });
        expect(await refusal(await redeem(strict, grant))).toEqual({ status: 400, error: 'invalid_dpop_proof' });
    });

    it('answers a proof without a nonce with use_dpop_nonce and a DPoP-Nonce, then accepts the proof with it (RFC 9449 §8)', async () => {
        const grant = await approvedCode(strict.origin);
        const first = await redeem(strict, grant, await proof(key, { htm: 'POST', htu: tokenUrl(strict) }));
        const nonce = first.headers.get('dpop-nonce');
        expect(await refusal(first)).toEqual({ status: 400, error: 'use_dpop_nonce' });
        expect(nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
        const bogus = await redeem(strict, grant, await proof(key, { htm: 'POST', htu: tokenUrl(strict), nonce: 'not-a-nonce' }));
        expect(await refusal(bogus)).toEqual({ status: 400, error: 'use_dpop_nonce' });
        const second = await redeem(strict, grant, await proof(key, { htm: 'POST', htu: tokenUrl(strict), nonce: nonce! }));
        expect(second.status).toBe(200);
        expect(((await second.json()) as TokenSet).token_type).toBe('DPoP');
    });
});
