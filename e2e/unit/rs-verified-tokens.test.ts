/**
 * The RS's memory of verified tokens (demo-rs/verified-tokens.ts): a token
 * seen before skips the signature check only while its exp is in the future
 * and its key is still the one the RS's current key set yields — so neither
 * an expired token nor one signed by a key the AS stopped publishing is ever
 * accepted from memory.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose';
import { OAuthError } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { jwtAccessTokenVerifier } from '../../demo-rs/token-verifier.ts';
import { MAX_VERIFIED_TOKENS, VerifiedTokens } from '../../demo-rs/verified-tokens.ts';

const ISSUER = 'http://127.0.0.1:9';
const RESOURCE = new URL('http://127.0.0.1:8/mcp');
const HEADER = { alg: 'ES256', kid: 'k1' };
const authInfo = (expiresAt: number | undefined) => ({ token: 'unused', clientId: 'c1', scopes: ['files:read'], expiresAt, resource: RESOURCE });

/** A key resolver whose answer the test controls. */
function switchableKeys(first: object): { keys: JWTVerifyGetKey; use(key: object | Error): void } {
    let current: object | Error = first;
    return {
        keys: async () => {
            if (current instanceof Error) throw current;
            return current as CryptoKey;
        },
        use: (key) => (current = key)
    };
}

describe('VerifiedTokens', () => {
    it('recalls a remembered token with the token that was presented', async () => {
        const key = {};
        const memory = new VerifiedTokens(switchableKeys(key).keys, () => 1000);
        memory.remember('a.b.c', HEADER, key as CryptoKey, authInfo(2000));
        expect(await memory.recall('a.b.c')).toEqual({ ...authInfo(2000), token: 'a.b.c' });
        expect(await memory.recall('a.b.d')).toBeUndefined();
    });

    it('forgets a token once its exp has passed', async () => {
        const key = {};
        let now = 1000;
        const memory = new VerifiedTokens(switchableKeys(key).keys, () => now);
        memory.remember('a.b.c', HEADER, key as CryptoKey, authInfo(1001));
        now = 1001;
        expect(await memory.recall('a.b.c')).toBeUndefined();
        now = 1000;
        expect(await memory.recall('a.b.c')).toBeUndefined();
    });

    it('forgets a token when the key set yields another key, or none', async () => {
        const key = {};
        const source = switchableKeys(key);
        const memory = new VerifiedTokens(source.keys, () => 1000);
        memory.remember('a.b.c', HEADER, key as CryptoKey, authInfo(2000));
        source.use(new Error('no matching key'));
        expect(await memory.recall('a.b.c')).toBeUndefined();

        memory.remember('a.b.c', HEADER, key as CryptoKey, authInfo(2000));
        source.use({});
        expect(await memory.recall('a.b.c')).toBeUndefined();
        source.use(key);
        expect(await memory.recall('a.b.c')).toBeUndefined();
    });

    it('keeps at most MAX_VERIFIED_TOKENS, forgetting the oldest', async () => {
        const key = {};
        const memory = new VerifiedTokens(switchableKeys(key).keys, () => 1000);
        for (let index = 0; index <= MAX_VERIFIED_TOKENS; index++) memory.remember(`t.${index}.s`, HEADER, key as CryptoKey, authInfo(2000));
        expect(await memory.recall('t.0.s')).toBeUndefined();
        expect(await memory.recall('t.1.s')).toBeDefined();
        expect(await memory.recall(`t.${MAX_VERIFIED_TOKENS}.s`)).toBeDefined();
    });
});

describe('jwtAccessTokenVerifier with a key set that changes', () => {
    it('refuses a token it accepted before once its signing key is no longer published', async () => {
        const signer = await generateKeyPair('ES256');
        const jwk = { ...(await exportJWK(signer.publicKey)), kid: 'old', alg: 'ES256' };
        const other = await generateKeyPair('ES256');
        const otherJwk = { ...(await exportJWK(other.publicKey)), kid: 'new', alg: 'ES256' };
        let keySet = createLocalJWKSet({ keys: [jwk] });
        const verifier = jwtAccessTokenVerifier({ issuer: ISSUER, resource: RESOURCE, keys: (header, token) => keySet(header, token) });
        const token = await new SignJWT({ client_id: 'c1', scope: 'files:read' })
            .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'old' })
            .setIssuer(ISSUER)
            .setAudience(RESOURCE.href)
            .setExpirationTime('5m')
            .sign(signer.privateKey);

        expect((await verifier.verifyAccessToken(token)).clientId).toBe('c1');
        expect((await verifier.verifyAccessToken(token)).clientId).toBe('c1');

        keySet = createLocalJWKSet({ keys: [otherJwk] });
        const refusal = await verifier.verifyAccessToken(token).catch((error: unknown) => error);
        expect(refusal).toBeInstanceOf(OAuthError);
        expect((refusal as OAuthError).message).toBe("The access token's signature does not verify with the authorization server's keys.");

        keySet = createLocalJWKSet({ keys: [jwk] });
        expect((await verifier.verifyAccessToken(token)).clientId).toBe('c1');
    });
});
