/**
 * The shared DPoP proof check (support/dpop-proof.ts), one hostile proof per
 * RFC 9449 §4.3 rule, each refused with its own invalid_dpop_proof reason;
 * the proof keys and algorithms accepted; the jti memory, which keeps a proof
 * single-use through the last second its iat is acceptable and refuses new
 * proofs rather than forget one when full; and the stateless nonces.
 */
import { describe, expect, it } from 'vitest';
import { DpopNonces, DpopReplayMemory, PROOF_MAX_AGE_SECONDS, PROOF_MAX_SKEW_SECONDS, verifyDpopProof, type ExpectedRequest } from '../../support/dpop-proof.ts';
import { hmacProof, proof, proofKey, rsaModulusOfBits, unsignedProof, type ProofKey } from '../dpop-proofs.ts';

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

describe('single use for the whole iat window (RFC 9449 §11.1)', async () => {
    const key = await proofKey();
    const T = 1_900_000_000;
    /** verifyDpopProof with the server's clock at `at` (whole seconds, as the servers read it). */
    const checkAt = (at: number, dpop: string, replay: DpopReplayMemory) => verifyDpopProof(dpop, request, { replay, nowSeconds: () => at });

    it.each([
        ['issued now, replayed at the last second it is acceptable', 0],
        [`issued ${PROOF_MAX_AGE_SECONDS} s ago (the oldest acceptable), replayed in that second`, -PROOF_MAX_AGE_SECONDS],
        [`dated ${PROOF_MAX_SKEW_SECONDS} s ahead (the most skew accepted), replayed at its last acceptable second`, PROOF_MAX_SKEW_SECONDS]
    ])('a proof %s is refused as a replay', async (_label, iatOffset) => {
        const replay = new DpopReplayMemory();
        const once = await proof(key, { htm: 'POST', htu: URL_, iat: T + iatOffset });
        expect(await checkAt(T, once, replay)).toMatchObject({ ok: true });
        const lastAcceptable = T + iatOffset + PROOF_MAX_AGE_SECONDS;
        expect(await checkAt(lastAcceptable, once, replay)).toMatchObject({ ok: false, error: 'invalid_dpop_proof', reason: expect.stringContaining('already used') });
        // One second later the proof is refused as too old: the iat check takes over from the memory.
        expect(await checkAt(lastAcceptable + 1, once, replay)).toMatchObject({ ok: false, reason: expect.stringContaining('iat is outside') });
    });

    it('a full memory forgets no jti still in its window: it refuses the new proof with replay_memory_full and when to retry', async () => {
        const replay = new DpopReplayMemory(2);
        const fresh = await proof(key, { htm: 'POST', htu: URL_, iat: T });
        // Back-dated: acceptable through T + 1, though it arrives after a fresher one.
        const old = await proof(key, { htm: 'POST', htu: URL_, iat: T + 1 - PROOF_MAX_AGE_SECONDS });
        expect(await checkAt(T, fresh, replay)).toMatchObject({ ok: true });
        expect(await checkAt(T, old, replay)).toMatchObject({ ok: true });
        const third = await proof(key, { htm: 'POST', htu: URL_, iat: T });
        expect(await checkAt(T, third, replay)).toEqual({ ok: false, error: 'replay_memory_full', reason: expect.stringContaining('Retry-After'), retryAfterSeconds: 2 });
        // Nothing was evicted: both remembered proofs are still refused as replays.
        expect(await checkAt(T + 1, fresh, replay)).toMatchObject({ reason: expect.stringContaining('already used') });
        expect(await checkAt(T + 1, old, replay)).toMatchObject({ reason: expect.stringContaining('already used') });
        expect(await checkAt(T + 1, third, replay)).toMatchObject({ error: 'replay_memory_full', retryAfterSeconds: 1 });
        // At T + 2 the back-dated proof has left its window: its room is free again, whatever order the proofs came in.
        expect(await checkAt(T + 2, third, replay)).toMatchObject({ ok: true });
        expect(await checkAt(T + 2, fresh, replay)).toMatchObject({ reason: expect.stringContaining('already used') });
    });
});

describe('proof keys and algorithms', async () => {
    const ed25519 = await proofKey('Ed25519');
    const [rsa2048, rsa4096] = await Promise.all([proofKey('RS256', { modulusLength: 2048 }), proofKey('PS256', { modulusLength: 4096 })]);

    it('accepts the fully-specified alg Ed25519 (RFC 9864) as it accepts EdDSA', async () => {
        expect(await check(await proof(ed25519, { htm: 'POST', htu: URL_ }))).toMatchObject({ ok: true, jkt: ed25519.jkt });
        expect(await check(await proof({ ...ed25519, alg: 'EdDSA' }, { htm: 'POST', htu: URL_ }))).toMatchObject({ ok: true, jkt: ed25519.jkt });
    });

    const outOfBounds: Array<[string, (key: ProofKey) => object]> = [
        ['exponent 3', (key) => ({ ...key.publicJwk, e: 'Aw' })],
        ['exponent 2^32 + 1', (key) => ({ ...key.publicJwk, e: 'AQAAAAE' })],
        ['a 2047-bit modulus', (key) => ({ ...key.publicJwk, n: rsaModulusOfBits(2047) })],
        ['a 4097-bit modulus', (key) => ({ ...key.publicJwk, n: rsaModulusOfBits(4097) })],
        ['a 16384-bit modulus', (key) => ({ ...key.publicJwk, n: rsaModulusOfBits(16_384) })],
        ['a modulus that is not base64url', (key) => ({ ...key.publicJwk, n: 'not base64url!' })]
    ];

    it(`accepts RSA keys of 2048 and 4096 bits with exponent 65537; refuses, before any signature work, one with ${outOfBounds.map(([label]) => label).join(', ')}`, async () => {
        expect(await check(await proof(rsa2048, { htm: 'POST', htu: URL_ }))).toMatchObject({ ok: true, jkt: rsa2048.jkt });
        expect(await check(await proof(rsa4096, { htm: 'POST', htu: URL_ }))).toMatchObject({ ok: true, jkt: rsa4096.jkt });
        const reasons: Record<string, unknown> = {};
        for (const [label, jwk] of outOfBounds) {
            const result = await check(await proof(rsa2048, { htm: 'POST', htu: URL_, jwk: jwk(rsa2048) as ProofKey['publicJwk'] }));
            reasons[label] = result.ok ? 'accepted' : result.reason;
        }
        const refusal = 'the DPoP proof RSA key must have exponent 65537 and a 2048 to 4096-bit modulus';
        expect(reasons).toEqual(Object.fromEntries(outOfBounds.map(([label]) => [label, refusal])));
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
    it('keeps each id through its last second, forgets it after, and stays within its cap', () => {
        const memory = new DpopReplayMemory(3);
        for (let i = 0; i < 3; i++) expect(memory.remember(`j${i}`, 100 + i, 50)).toEqual({ outcome: 'remembered' });
        expect(memory.remember('j3', 200, 50)).toEqual({ outcome: 'full', retryAfterSeconds: 51 });
        expect(memory.size).toBe(3);
        expect(memory.remember('j0', 200, 100)).toEqual({ outcome: 'replayed' });
        expect(memory.remember('j0', 200, 101)).toEqual({ outcome: 'remembered' });
        expect(memory.remember('late', 500, 150)).toEqual({ outcome: 'remembered' });
        expect(memory.size).toBe(2);
    });
});
