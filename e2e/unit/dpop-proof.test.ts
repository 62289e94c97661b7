/**
 * The shared DPoP proof check (support/dpop-proof.ts), one hostile proof per
 * RFC 9449 §4.3 rule, each refused with its own invalid_dpop_proof reason;
 * plus the bounded jti memory and the stateless nonces.
 */
import { describe, expect, it } from 'vitest';
import { DpopNonces, DpopReplayMemory, PROOF_MAX_AGE_SECONDS, verifyDpopProof, type ExpectedRequest } from '../../support/dpop-proof.ts';
import { hmacProof, proof, proofKey, unsignedProof } from '../dpop-proofs.ts';

const URL_ = 'http://127.0.0.1:4000/token';
const request: ExpectedRequest = { method: 'POST', url: URL_ };
const now = () => Math.floor(Date.now() / 1000);

async function check(dpop: string | undefined, expected: ExpectedRequest = request, replay = new DpopReplayMemory()) {
    return verifyDpopProof(dpop, expected, { replay });
}

describe('verifyDpopProof', async () => {
    const key = await proofKey();
    const other = await proofKey();

    it('accepts a proof for this request and returns the key thumbprint', async () => {
        const result = await check(await proof(key, { htm: 'POST', htu: URL_ }));
        expect(result).toMatchObject({ ok: true, jkt: key.jkt });
    });

    it('ignores the query and fragment of htu (§4.3)', async () => {
        const result = await check(await proof(key, { htm: 'POST', htu: `${URL_}?a=1#f` }), { method: 'POST', url: `${URL_}?b=2` });
        expect(result.ok).toBe(true);
    });

    it.each<[string, () => Promise<string | undefined>, string]>([
        ['no proof', async () => undefined, 'a DPoP proof is required'],
        ['two proofs joined', async () => `${await proof(key, { htm: 'POST', htu: URL_ })}, ${await proof(key, { htm: 'POST', htu: URL_ })}`, 'not one compact JWS'],
        ['alg none', async () => unsignedProof(key, { htm: 'POST', htu: URL_ }), 'not one compact JWS'],
        ['HS256', async () => hmacProof({ htm: 'POST', htu: URL_ }), 'asymmetric algorithm'],
        ['typ JWT', async () => proof(key, { htm: 'POST', htu: URL_, typ: 'JWT' }), 'typ must be dpop+jwt'],
        ['a private key in jwk', async () => proof(key, { htm: 'POST', htu: URL_, jwk: key.privateJwk }), 'private key material'],
        ['another key in jwk than signed', async () => proof(key, { htm: 'POST', htu: URL_, jwk: other.publicJwk }), 'signature does not verify'],
        ['wrong htm', async () => proof(key, { htm: 'GET', htu: URL_ }), 'htm'],
        ['wrong htu', async () => proof(key, { htm: 'POST', htu: 'http://127.0.0.1:4000/other' }), 'htu'],
        ['htu of another origin', async () => proof(key, { htm: 'POST', htu: 'http://127.0.0.1:4001/token' }), 'htu'],
        ['iat too old', async () => proof(key, { htm: 'POST', htu: URL_, iat: now() - PROOF_MAX_AGE_SECONDS - 5 }), 'iat is outside'],
        ['iat in the future', async () => proof(key, { htm: 'POST', htu: URL_, iat: now() + 60 }), 'iat is outside'],
        ['a nonce this server never issued', async () => proof(key, { htm: 'POST', htu: URL_, nonce: 'x' }), 'issues no DPoP nonces']
    ])('refuses %s', async (_label, make, reason) => {
        const result = await check(await make());
        expect(result.ok).toBe(false);
        if (!result.ok) {
            expect(result.error).toBe('invalid_dpop_proof');
            expect(result.reason).toContain(reason);
        }
    });

    it('refuses a replayed jti', async () => {
        const replay = new DpopReplayMemory();
        const once = await proof(key, { htm: 'POST', htu: URL_ });
        expect((await check(once, request, replay)).ok).toBe(true);
        expect(await check(once, request, replay)).toMatchObject({ ok: false, reason: expect.stringContaining('already used') });
    });

    it('does not remember the jti of a refused proof', async () => {
        const replay = new DpopReplayMemory();
        await check(await proof(key, { htm: 'GET', htu: URL_, jti: 'j1' }), request, replay);
        expect(replay.size).toBe(0);
    });

    it('checks ath against the presented access token', async () => {
        const expected = { method: 'POST', url: URL_, accessToken: 'token-a' };
        expect((await check(await proof(key, { htm: 'POST', htu: URL_, accessToken: 'token-a' }), expected)).ok).toBe(true);
        expect(await check(await proof(key, { htm: 'POST', htu: URL_, accessToken: 'token-b' }), expected)).toMatchObject({ reason: expect.stringContaining('ath') });
        expect(await check(await proof(key, { htm: 'POST', htu: URL_ }), expected)).toMatchObject({ reason: expect.stringContaining('ath') });
    });

    it('checks the key against the bound thumbprint', async () => {
        const expected = { method: 'POST', url: URL_, boundJkt: key.jkt };
        expect((await check(await proof(key, { htm: 'POST', htu: URL_ }), expected)).ok).toBe(true);
        expect(await check(await proof(other, { htm: 'POST', htu: URL_ }), expected)).toMatchObject({ reason: expect.stringContaining('bound') });
    });
});

describe('the memo of checked proof headers', async () => {
    const key = await proofKey();
    const impostor = await proofKey();
    const headerOf = (jws: string) => jws.split('.')[0];

    it('still checks the signature of every proof whose header it already knows', async () => {
        const genuine = await proof(key, { htm: 'POST', htu: URL_ });
        expect(await check(genuine)).toMatchObject({ ok: true, jkt: key.jkt });
        // The impostor signs under the genuine key's header, byte for byte: the memo knows the header, not the signature.
        const forged = await proof(impostor, { htm: 'POST', htu: URL_, jwk: key.publicJwk });
        expect(headerOf(forged)).toBe(headerOf(genuine));
        expect(await check(forged)).toMatchObject({ ok: false, reason: expect.stringContaining('signature does not verify') });
        expect(await check(await proof(key, { htm: 'POST', htu: URL_ }))).toMatchObject({ ok: true, jkt: key.jkt });
    });

    it('still checks every claim of a proof whose header it already knows', async () => {
        expect((await check(await proof(key, { htm: 'POST', htu: URL_ }))).ok).toBe(true);
        expect(await check(await proof(key, { htm: 'GET', htu: URL_ }))).toMatchObject({ ok: false, reason: expect.stringContaining('htm') });
        expect(await check(await proof(key, { htm: 'POST', htu: URL_, iat: now() - PROOF_MAX_AGE_SECONDS - 5 }))).toMatchObject({ ok: false, reason: expect.stringContaining('iat') });
    });

    it('refuses a refused header again, the second time as the first', async () => {
        const privateJwk = () => proof(key, { htm: 'POST', htu: URL_, jwk: key.privateJwk });
        for (let attempt = 0; attempt < 2; attempt++) {
            expect(await check(await privateJwk())).toMatchObject({ ok: false, reason: expect.stringContaining('private key material') });
        }
    });
});

describe('server nonces', async () => {
    const key = await proofKey();

    it('asks for a nonce when required, accepts a current one, refuses a stale one with use_dpop_nonce', async () => {
        let clock = 1_000_000;
        const nonces = new DpopNonces(60, Buffer.alloc(32, 1), () => clock);
        const options = { replay: new DpopReplayMemory(), nonces: { nonces, require: true } };
        expect(await verifyDpopProof(await proof(key, { htm: 'POST', htu: URL_ }), request, options)).toMatchObject({ ok: false, error: 'use_dpop_nonce' });
        const nonce = nonces.current();
        expect((await verifyDpopProof(await proof(key, { htm: 'POST', htu: URL_, nonce }), request, options)).ok).toBe(true);
        clock += 60;
        expect(nonces.accepts(nonce)).toBe(true);
        clock += 60;
        expect(nonces.accepts(nonce)).toBe(false);
        expect(await verifyDpopProof(await proof(key, { htm: 'POST', htu: URL_, nonce }), request, options)).toMatchObject({ ok: false, error: 'use_dpop_nonce' });
    });

    it('answers an old iat with use_dpop_nonce when nonces are on', async () => {
        const options = { replay: new DpopReplayMemory(), nonces: { nonces: new DpopNonces(), require: false } };
        const old = await proof(key, { htm: 'POST', htu: URL_, iat: now() - 600 });
        expect(await verifyDpopProof(old, request, options)).toMatchObject({ ok: false, error: 'use_dpop_nonce' });
    });

    it('nonces of another secret are not accepted', () => {
        expect(new DpopNonces(60, Buffer.alloc(32, 1)).accepts(new DpopNonces(60, Buffer.alloc(32, 2)).current())).toBe(false);
    });
});

describe('DpopReplayMemory', () => {
    it('forgets expired entries and stays within its cap', () => {
        const memory = new DpopReplayMemory(3);
        for (let i = 0; i < 10; i++) expect(memory.remember(`j${i}`, 100 + i, 50)).toBe(true);
        expect(memory.size).toBe(3);
        expect(memory.remember('j9', 200, 50)).toBe(false);
        expect(memory.remember('late', 500, 150)).toBe(true);
        expect(memory.size).toBe(1);
    });
});
