/**
 * Resource Server vs. an AS that is down, restarted or misconfigured: the RS
 * learns the AS's keys lazily over HTTP, so it starts without the AS, answers
 * 503 (never crashes) while the AS is unreachable, and picks up a restarted AS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { post, startRs, toolCall, waitForOutput, type RunningRs } from './rs-fixture.ts';

const running: Array<{ stop(): Promise<unknown> }> = [];

function track<T extends { stop(): Promise<unknown> }>(thing: T): T {
    running.push(thing);
    return thing;
}

afterEach(async () => {
    await Promise.all(running.splice(0).map((thing) => thing.stop()));
});

/** JWKS refetches for an unknown key are spaced by this cooldown in demo-rs (authorization-server.ts). */
const JWKS_COOLDOWN_MS = 1000;

async function listFiles(rs: RunningRs, token: string) {
    return post(rs, 'legacy', toolCall('list-files'), token);
}

describe('AS availability', () => {
    it('starts before the AS, answers 503 while it is unreachable, then uses it once it is up', async () => {
        const first = await startFakeAs();
        const port = first.port;
        await first.stop();

        const rs = track(await startRs(first.origin));
        const staleToken = await first.mint({ audience: rs.mcpUrl });

        const down = await listFiles(rs, staleToken);
        expect(down.status).toBe(503);
        expect(down.json).toMatchObject({ error: 'temporarily_unavailable' });
        await waitForOutput(rs.stderr, `authorization server ${first.origin} unavailable: its metadata could not be fetched`);
        expect((await post(rs, 'legacy', toolCall('list-files'))).status).toBe(401);

        const as: FakeAs = track(await startFakeAs({ port }));
        expect((await listFiles(rs, await as.mint({ audience: rs.mcpUrl }))).status).toBe(200);
        expect(rs.child.exitCode).toBeNull();
    });

    it('picks up a restarted AS with a new signing key', async () => {
        const before = await startFakeAs();
        const rs = track(await startRs(before.origin));
        const oldToken = await before.mint({ audience: rs.mcpUrl });
        expect((await listFiles(rs, oldToken)).status).toBe(200);
        await before.stop();

        const after = track(await startFakeAs({ port: before.port }));
        await new Promise((resolve) => setTimeout(resolve, JWKS_COOLDOWN_MS + 100));
        expect((await listFiles(rs, await after.mint({ audience: rs.mcpUrl }))).status).toBe(200);

        const stale = await listFiles(rs, oldToken);
        expect(stale.status).toBe(401);
        expect(stale.json.error).toBe('invalid_token');
    });

    it('refuses to use an AS whose metadata names a different issuer (RFC 8414 §3.3)', async () => {
        const as = track(await startFakeAs({ advertisedIssuer: 'http://127.0.0.1:1' }));
        const rs = track(await startRs(as.origin));
        const answer = await listFiles(rs, await as.mint({ audience: rs.mcpUrl }));
        expect(answer.status).toBe(503);
        expect(answer.json).toMatchObject({ error: 'temporarily_unavailable' });
        await waitForOutput(rs.stderr, 'its metadata names a different issuer');
        expect(as.hits.get('/jwks') ?? 0).toBe(0);
    });
});
