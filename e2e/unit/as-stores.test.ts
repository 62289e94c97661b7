/**
 * Unit tests for demo-as's bounded stores, with a fake clock: the cap, the
 * expiry, least-recently-used eviction, single use, and the lifetimes the
 * e2e tests cannot wait for (a day-long refresh token, a 10-minute replay
 * memory for codes).
 */
import { describe, expect, it } from 'vitest';
import { LIFETIMES } from '../../demo-as/policy.ts';
import { AuthorizationCodes, type CodeBinding } from '../../demo-as/stores/authorization-codes.ts';
import { BoundedStore } from '../../demo-as/stores/bounded-store.ts';
import { RefreshTokens } from '../../demo-as/stores/refresh-tokens.ts';

function fakeClock(start = 1_000_000) {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
}

const BINDING: CodeBinding = {
    clientId: 'client-1',
    redirectUri: 'http://127.0.0.1:1/cb',
    redirectUriSent: true,
    codeChallenge: 'c'.repeat(43),
    resource: 'http://127.0.0.1:2/mcp',
    grantedScopes: ['files:read'],
    subject: 'demo-user'
};

describe('BoundedStore', () => {
    it('never holds more than its cap, evicting the oldest entry first', () => {
        const store = new BoundedStore<number>({ maxEntries: 3, ttlMs: 1_000 });
        for (let i = 1; i <= 5; i++) store.put(`k${i}`, i);
        expect(store.size).toBe(3);
        expect([store.get('k1'), store.get('k2'), store.get('k3'), store.get('k4'), store.get('k5')]).toEqual([undefined, undefined, 3, 4, 5]);
    });

    it('forgets entries once their lifetime is over', () => {
        const clock = fakeClock();
        const store = new BoundedStore<string>({ maxEntries: 10, ttlMs: 1_000, now: clock.now });
        store.put('a', 'A');
        clock.advance(999);
        expect(store.get('a')).toBe('A');
        clock.advance(1);
        expect(store.get('a')).toBeUndefined();
        expect(store.size).toBe(0);
    });

    it('keeps a touched entry past older ones and restarts its lifetime (LRU)', () => {
        const clock = fakeClock();
        const store = new BoundedStore<number>({ maxEntries: 2, ttlMs: 1_000, now: clock.now });
        store.put('old', 1);
        store.put('newer', 2);
        clock.advance(900);
        store.touch('old');
        store.put('newest', 3);
        expect(store.get('newer')).toBeUndefined();
        expect(store.get('old')).toBe(1);
        // Past its original lifetime (1 000 ms after it was put), alive because it was touched at 900.
        clock.advance(900);
        expect(store.get('old')).toBe(1);
        clock.advance(100);
        expect(store.get('old')).toBeUndefined();
    });

    it('hands out a value once with take', () => {
        const store = new BoundedStore<number>({ maxEntries: 2, ttlMs: 1_000 });
        store.put('once', 1);
        expect(store.take('once')).toBe(1);
        expect(store.take('once')).toBeUndefined();
    });

    it('stays bounded under a million insertions', () => {
        const store = new BoundedStore<number>({ maxEntries: 1_000, ttlMs: 60_000 });
        for (let i = 0; i < 1_000_000; i++) store.put(`k${i}`, i);
        expect(store.size).toBe(1_000);
        expect(store.get('k998999')).toBeUndefined();
        expect(store.get('k999000')).toBe(999_000);
    });
});

describe('AuthorizationCodes', () => {
    it('redeems a code once, within its lifetime', () => {
        const clock = fakeClock();
        const codes = new AuthorizationCodes(60, clock.now);
        const code = codes.issue(BINDING);
        clock.advance(59_999);
        expect(codes.redeem(code).outcome).toBe('first-use');
        expect(codes.redeem(code).outcome).toBe('replayed');
    });

    it('refuses a code after 60 seconds, and still recognises a replay for the replay-memory window', () => {
        const clock = fakeClock();
        const codes = new AuthorizationCodes(60, clock.now);
        const late = codes.issue(BINDING);
        const used = codes.issue(BINDING);
        expect(codes.redeem(used).outcome).toBe('first-use');
        clock.advance(60_000);
        expect(codes.redeem(late).outcome).toBe('expired');
        clock.advance(LIFETIMES.codeReplayMemoryMs - 60_001);
        expect(codes.redeem(used).outcome).toBe('replayed');
        clock.advance(1);
        expect(codes.redeem(used).outcome).toBe('unknown');
    });

    it('does not know a code it never issued', () => {
        expect(new AuthorizationCodes(60).redeem('x'.repeat(43)).outcome).toBe('unknown');
    });
});

describe('RefreshTokens', () => {
    const grant = { clientId: 'client-1', grantedScopes: ['files:read'], resource: 'http://127.0.0.1:2/mcp', subject: 'demo-user' };

    it('makes only the newest token of a family current', () => {
        const tokens = new RefreshTokens();
        const { family, token: first } = tokens.startFamily(grant);
        const second = tokens.rotate(family);
        expect(tokens.lookup(first).outcome).toBe('rotated-away');
        expect(tokens.lookup(second).outcome).toBe('current');
    });

    it('refuses every token of a revoked family', () => {
        const tokens = new RefreshTokens();
        const { family, token: first } = tokens.startFamily(grant);
        const second = tokens.rotate(family);
        tokens.revoke(family);
        expect(tokens.lookup(first).outcome).toBe('revoked');
        expect(tokens.lookup(second).outcome).toBe('revoked');
    });

    it('forgets a refresh token after its lifetime', () => {
        const clock = fakeClock();
        const tokens = new RefreshTokens(clock.now);
        const { token } = tokens.startFamily(grant);
        clock.advance(LIFETIMES.refreshTokenMs - 1);
        expect(tokens.lookup(token).outcome).toBe('current');
        clock.advance(1);
        expect(tokens.lookup(token).outcome).toBe('unknown');
    });
});
