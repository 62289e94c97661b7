/**
 * The production topology, run for real (scripts/topology/start.ts): nginx
 * terminating TLS under the public URL, two demo-rs instances behind it
 * sharing one Redis replay store, demo-as. The client tells its whole story
 * through the proxy over https, trusting the test CA, with DPoP proofs for
 * the public URL; a proof used through the proxy is refused at each instance
 * when replayed straight to it (RFC 9449 §11.1); with Redis stopped, DPoP
 * calls are answered 503 with Retry-After, and once it is back nothing used
 * before is accepted again and fresh proofs are served; a call in flight at
 * an instance that is killed is passed to the other one, and calls through
 * the proxy go on succeeding (proxy_next_upstream … non_idempotent).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROOF_MAX_SKEW_SECONDS } from '../../support/dpop-proof.ts';
import { startTopology, type Topology } from '../../scripts/topology/start.ts';
import { approvedCode, exchangeCode, type TokenSet } from '../as-flow.ts';
import { proof, proofKey, type ProofKey } from '../dpop-proofs.ts';
import { mcpRequest, rawHttp, toolCall, waitForOutput } from '../rs-fixture.ts';
import { runClient } from '../stack.ts';

let topology: Topology;
let ca: string;
let key: ProofKey;
let token: TokenSet;

interface Answer {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

/** A request to the public URL over TLS, trusting only the test CA (as a client with NODE_EXTRA_CA_CERTS would). */
function overTls(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const req = httpsRequest(url, { method: options.method ?? 'GET', headers: options.headers, ca }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end(options.body);
    });
}

/** A DPoP proof for a call to the public URL (its htu); `iat` defaults to now. */
const proofFor = (iat?: number) => proof(key, { htm: 'POST', htu: topology.publicUrl, accessToken: token.access_token, iat });

/**
 * A proof no instance could have accepted before now (its iat as far ahead as the skew allows): accepted even
 * moments after Redis restarted empty, which refuses older proofs (demo-rs/redis-replay-store.ts).
 */
const freshProof = () => proofFor(Math.floor(Date.now() / 1000) + PROOF_MAX_SKEW_SECONDS);

/** The headers and body of one DPoP-bound list-files call. */
function listFiles(dpop: string): { headers: Record<string, string>; body: string } {
    const { headers, body } = mcpRequest('legacy', toolCall('list-files'));
    return { headers: { ...headers, authorization: `DPoP ${token.access_token}`, dpop }, body };
}

const throughProxy = (dpop: string) => overTls(topology.publicUrl, { method: 'POST', ...listFiles(dpop) });

/** Straight to one instance's loopback listener, bypassing nginx, with the Host header of the public name. */
function straightTo(instance: number, dpop: string) {
    const { headers, body } = listFiles(dpop);
    return rawHttp(`${topology.rs[instance]!.origin}/mcp`, { method: 'POST', headers: { ...headers, host: new URL(topology.publicUrl).host }, body });
}

beforeAll(async () => {
    [topology, key] = await Promise.all([startTopology(), proofKey()]);
    ca = readFileSync(topology.caFile, 'utf8');
    const grant = await approvedCode(topology.as.origin, { resource: topology.publicUrl, scope: 'files:read' });
    const response = await exchangeCode(topology.as.origin, grant, {}, { dpop: await proof(key, { htm: 'POST', htu: `${topology.as.origin}/token` }) });
    token = (await response.json()) as TokenSet;
});

afterAll(async () => {
    await topology?.stop();
});

describe('the topology: nginx (TLS) → two demo-rs instances → one Redis', () => {
    it('announces the public URL as the resource, through the proxy (RFC 9728)', async () => {
        const answer = await overTls(new URL('/.well-known/oauth-protected-resource/mcp', topology.publicUrl).href);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body).resource).toBe(topology.publicUrl);
    });

    it('carries the whole story over https, trusting the test CA, with DPoP proofs for the public URL', async () => {
        const run = await runClient(['story', '--server', topology.publicUrl, '--headless'], { env: { NODE_EXTRA_CA_CERTS: topology.caFile } });
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('The story went as expected.');
        expect(run.stdout).toContain('token_type DPoP: bound to this client');
    });

    it('refuses at each instance, reached straight, a proof already used through the proxy (RFC 9449 §11.1)', async () => {
        const once = await proofFor();
        expect((await throughProxy(once)).status).toBe(200);
        for (const instance of [0, 1]) {
            const replay = await straightTo(instance, once);
            expect(replay.status).toBe(401);
            expect(JSON.parse(replay.body).error_description).toContain('already used');
        }
    });

    it('answers DPoP calls 503 with Retry-After while Redis is down, accepts nothing twice, and serves again once it is back', async () => {
        const usedBefore = await proofFor();
        expect((await throughProxy(usedBefore)).status).toBe(200);

        await topology.redis.stop();
        for (const dpop of [await proofFor(), usedBefore]) {
            const answer = await throughProxy(dpop);
            expect(answer.status).toBe(503);
            expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
        }

        await topology.redis.restart();
        await Promise.all(topology.rs.map((instance) => waitForOutput(instance.stderr, 'DPoP replay store back')));
        for (const instance of [0, 1]) expect((await straightTo(instance, usedBefore)).status).toBe(503);
        const fresh = await freshProof();
        expect((await throughProxy(fresh)).status).toBe(200);
        expect((await throughProxy(fresh)).status).toBe(401);
    });

    it('retries on the other instance a call the killed one received but never answered, then keeps serving (proxy_next_upstream)', async () => {
        const victim = topology.rs[0]!;
        // Stopped, the instance still accepts connections (the kernel does) but answers nothing: a call sent to it is in flight.
        victim.child.kill('SIGSTOP');
        const calls = [throughProxy(await freshProof()), throughProxy(await freshProof())];
        // Round robin gives the two calls one instance each; the live one answers its call.
        await Promise.race(calls);
        victim.child.kill('SIGKILL');
        expect((await Promise.all(calls)).map((answer) => answer.status)).toEqual([200, 200]);
        // nginx says it lost the call at the killed instance, which it then passed to the other one.
        expect(readFileSync(join(topology.dir, 'error.log'), 'utf8')).toContain(`upstream: "http://${new URL(victim.origin).host}/mcp"`);
        for (let call = 0; call < 2; call++) expect((await throughProxy(await freshProof())).status).toBe(200);
    });
});
