/**
 * The shared DPoP replay store (`--replay-store redis://…`, RFC 9449 §11.1)
 * against a real redis-server child and two real demo-rs instances that
 * answer for one public resource URL, as they would behind a load balancer:
 * a proof accepted by one instance is refused as a replay by the other; with
 * Redis stopped or not answering, DPoP-bound calls are refused with 503 and
 * Retry-After (said once in the log), never accepted unrecorded; once Redis is back — empty,
 * having lost every jti — a proof used before the outage is still not
 * accepted, a fresh one is, and none is accepted twice. A value that is not
 * a Redis URL is refused in one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROOF_MAX_SKEW_SECONDS } from '../../support/dpop-proof.ts';
import { runToEnd, startServer, type RunningServer } from '../../support/spawn.ts';
import { startRedis, type RunningRedis } from '../../scripts/topology/redis-server.ts';
import { approvedCode, exchangeCode, type TokenSet } from '../as-flow.ts';
import { proof, proofKey, type ProofKey } from '../dpop-proofs.ts';
import { mcpRequest, send, toolCall, waitForOutput, type HttpAnswer } from '../rs-fixture.ts';
import { tempDir } from '../stack.ts';

/** The one resource both instances answer for: the `aud` of the token and the `htu` of every proof. */
const PUBLIC_MCP_URL = 'https://mcp.test/mcp';
const UNAVAILABLE_LOG = 'DPoP replay store unavailable';
const BACK_LOG = 'DPoP replay store back';

const dir = tempDir('replay-store-');
let redis: RunningRedis;
let as: RunningServer;
let first: RunningServer;
let second: RunningServer;
let key: ProofKey;
let token: TokenSet;

async function boundToken(): Promise<TokenSet> {
    const grant = await approvedCode(as.origin, { resource: PUBLIC_MCP_URL, scope: 'files:read' });
    const response = await exchangeCode(as.origin, grant, {}, { dpop: await proof(key, { htm: 'POST', htu: `${as.origin}/token` }) });
    if (response.status !== 200) throw new Error(`token: ${response.status}`);
    return (await response.json()) as TokenSet;
}

/** A proof for a call to the public URL; `iat` defaults to now. */
const proofFor = (iat?: number) => proof(key, { htm: 'POST', htu: PUBLIC_MCP_URL, accessToken: token.access_token, iat });

/** One DPoP-bound list-files call sent straight to `rs` (its loopback listener). */
function call(rs: RunningServer, dpop: string): Promise<HttpAnswer> {
    const { headers, body } = mcpRequest('legacy', toolCall('list-files'));
    return send(`${rs.origin}/mcp`, { method: 'POST', headers: { ...headers, authorization: `DPoP ${token.access_token}`, dpop }, body });
}

const startRs = () => startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin, '--resource-url', PUBLIC_MCP_URL, '--replay-store', redis.url]);

beforeAll(async () => {
    [redis, as, key] = await Promise.all([startRedis(dir.path), startServer('demo-as/main.ts', ['--port', '0']), proofKey()]);
    [first, second, token] = await Promise.all([startRs(), startRs(), boundToken()]);
});

afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop(), as?.stop()]);
    await redis?.stop();
    dir.remove();
});

describe('two RS instances sharing one Redis replay store', () => {
    it('refuse at one instance a proof the other accepted (RFC 9449 §11.1)', async () => {
        const once = await proofFor();
        expect((await call(first, once)).status).toBe(200);
        const replay = await call(second, once);
        expect(replay.status).toBe(401);
        expect(replay.json.error_description).toContain('already used');
        expect((await call(first, once)).status).toBe(401);
    });
});

describe('a Redis that takes connections but does not answer', () => {
    it('gets DPoP-bound calls refused with 503 and Retry-After, not held', async () => {
        // Connected and answering first: the call below meets a connection that goes quiet, not one being set up.
        expect((await call(first, await proofFor())).status).toBe(200);
        redis.freeze();
        try {
            const answer = await call(first, await proofFor());
            expect(answer.status).toBe(503);
            expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        } finally {
            redis.thaw();
        }
        await waitForOutput(first.stderr, BACK_LOG);
    });
});

describe('Redis stopped and restarted without its data', () => {
    it('refuses DPoP-bound calls with 503 and Retry-After meanwhile, accepts nothing twice, and serves again', async () => {
        const usedBefore = await proofFor();
        expect((await call(first, usedBefore)).status).toBe(200);

        await redis.stop();
        const during = [await call(second, await proofFor()), await call(second, await proofFor()), await call(first, usedBefore)];
        for (const answer of during) {
            expect(answer.status).toBe(503);
            expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
            expect(answer.json.error).toBe('temporarily_unavailable');
        }
        await waitForOutput(second.stderr, UNAVAILABLE_LOG);
        expect(second.stderr.filter((line) => line.includes(UNAVAILABLE_LOG))).toHaveLength(1);

        await redis.restart();
        await Promise.all([waitForOutput(first.stderr, BACK_LOG), waitForOutput(second.stderr, BACK_LOG)]);
        // Redis forgot usedBefore's jti; its iat is older than the store's memory, so it is still not accepted.
        for (const rs of [first, second]) {
            const replay = await call(rs, usedBefore);
            expect(replay.status).toBe(503);
            expect(Number(replay.headers.get('retry-after'))).toBeGreaterThan(0);
        }
        // A proof no instance could have accepted before Redis came back (iat as far ahead as the skew allows) is served, once.
        const fresh = await proofFor(Math.floor(Date.now() / 1000) + PROOF_MAX_SKEW_SECONDS);
        expect((await call(second, fresh)).status).toBe(200);
        expect((await call(first, fresh)).status).toBe(401);
    });
});

describe('--replay-store on the command line', () => {
    it('anything but a redis:// URL is one line and exit 2, without echoing it', async () => {
        const run = await runToEnd('demo-rs/main.ts', ['--issuer', as.origin, '--replay-store', 'http://user:s3cret@127.0.0.1:1']);
        expect(run.code).toBe(2);
        expect(run.stderr.trim().split('\n')).toEqual(['demo-rs: --replay-store must be a redis://host:port URL']);
    });

    it('with --dpop-replay-memory, which sizes only the in-process memory, is one line and exit 2', async () => {
        const run = await runToEnd('demo-rs/main.ts', ['--issuer', as.origin, '--replay-store', redis.url, '--dpop-replay-memory', '10']);
        expect(run.code).toBe(2);
        expect(run.stderr.trim().split('\n')).toEqual(["demo-rs: --dpop-replay-memory sizes the in-process memory; with --replay-store, Redis's maxmemory bounds the store"]);
    });
});
