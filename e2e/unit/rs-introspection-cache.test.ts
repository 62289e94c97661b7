/**
 * The introspection cache's two bounds (demo-rs/introspection-cache.ts), on a
 * clock the test sets, so no test waits: an answer is reused for at most
 * 60 s after it arrived, and never at or past the token's `exp`.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { INTROSPECTION_CACHE_SECONDS, IntrospectionCache } from '../../demo-rs/introspection-cache.ts';

const T0 = 1_900_000_000;
const answer = (expiresAt: number): AuthInfo => ({ token: 'opaque', clientId: 'c', scopes: ['files:read'], expiresAt });

function cacheAt(start: number) {
    const clock = { now: start };
    return { clock, cache: new IntrospectionCache(() => clock.now) };
}

describe('introspection cache (RFC 7662 §4)', () => {
    it('reuses an answer for 60 s after it arrived, then introspects again', () => {
        const { clock, cache } = cacheAt(T0);
        cache.remember('opaque', answer(T0 + 3600));
        clock.now = T0 + INTROSPECTION_CACHE_SECONDS - 1;
        expect(cache.recall('opaque')?.scopes).toEqual(['files:read']);
        clock.now = T0 + INTROSPECTION_CACHE_SECONDS;
        expect(cache.recall('opaque')).toBeUndefined();
    });

    it("never reuses an answer at or past the token's exp, even inside the minute", () => {
        const { clock, cache } = cacheAt(T0);
        cache.remember('opaque', answer(T0 + 2));
        clock.now = T0 + 1;
        expect(cache.recall('opaque')).toBeDefined();
        clock.now = T0 + 2;
        expect(cache.recall('opaque')).toBeUndefined();
    });

    it('does not keep an answer whose exp has already passed', () => {
        const { cache } = cacheAt(T0);
        cache.remember('opaque', answer(T0));
        expect(cache.recall('opaque')).toBeUndefined();
    });

    it('files answers by token: another token is not served from it', () => {
        const { cache } = cacheAt(T0);
        cache.remember('opaque', answer(T0 + 300));
        expect(cache.recall('other')).toBeUndefined();
    });
});
