/**
 * demo-rs fitted to what real identity providers issue (docs/production.md),
 * one flag at a time, against the fake AS minting tokens in each provider's
 * shape and a fake RFC 7662 endpoint that counts its calls:
 *
 * - `--resource-url`: an RS on 127.0.0.1 behind a TLS proxy under a public
 *   name announces that name (metadata, challenges) and requires it as `aud`
 *   and as the DPoP `htu`; the public host joins the loopback names as Host.
 * - `--audience` (repeatable): the `aud` values accepted instead of the
 *   resource URL, as a string or in an array.
 * - scopes from `scp` (string or array) where `scope` is absent.
 * - `--accept-typ JWT|none`: each adds exactly its `typ`; without it that
 *   `typ` is refused.
 * - `--introspection-url`: opaque tokens introspected with the RS's own
 *   credentials; inactive, foreign or expired answers refused; answers cached
 *   (one call per token); an endpoint that fails → 503 with Retry-After;
 *   JWTs still verified locally.
 *
 * The real introspection endpoint (oidc-provider's) is e2e/rs-introspection.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd } from '../support/spawn.ts';
import { proof, proofKey } from './dpop-proofs.ts';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { bearerChallengeParams, mcpRequest, post, rawHttp, send, startRs, toolCall, type RunningRs } from './rs-fixture.ts';

const PUBLIC_URL = 'https://mcp.example.test/mcp';
const API_AUDIENCE = 'api://scoped-tools';
const GUID_AUDIENCE = '0b6f2c1e-5d4a-4c3b-9a8f-7e6d5c4b3a21';
const RS_CLIENT_ID = 'demo-rs-introspection';
const RS_CLIENT_SECRET = `secret-${randomUUID()}`;

/** A stand-in RFC 7662 endpoint: answers what the test filed for each token, counts calls, and insists on the RS's Basic credentials. */
interface FakeIntrospection {
    url: string;
    calls: Map<string, number>;
    answers: Map<string, Record<string, unknown> | 'http-500' | 'drop-connection' | 'not-json' | 'too-large'>;
    close(): Promise<void>;
}

async function startFakeIntrospection(): Promise<FakeIntrospection> {
    const calls = new Map<string, number>();
    const answers: FakeIntrospection['answers'] = new Map();
    const expectedAuthorization = `Basic ${Buffer.from(`${RS_CLIENT_ID}:${RS_CLIENT_SECRET}`).toString('base64')}`;
    const server: Server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
            if (req.method !== 'POST' || req.headers.authorization !== expectedAuthorization) {
                res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
                return;
            }
            const token = new URLSearchParams(body).get('token') ?? '';
            calls.set(token, (calls.get(token) ?? 0) + 1);
            const answer = answers.get(token) ?? { active: false };
            if (answer === 'http-500') return void res.writeHead(500).end('upstream exploded');
            if (answer === 'drop-connection') return void req.socket.destroy();
            if (answer === 'not-json') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>');
            if (answer === 'too-large') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ active: true, pad: 'x'.repeat(100_000) }));
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/introspect`,
        calls,
        answers,
        close: () => new Promise((resolve) => server.close(() => resolve()))
    };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

let as: FakeAs;
let introspection: FakeIntrospection;
/** `--resource-url https://mcp.example.test/mcp --accept-typ none`. */
let publicRs: RunningRs;
/** `--audience api://scoped-tools --audience <GUID> --accept-typ JWT`. */
let audienceRs: RunningRs;
/** `--introspection-url <fake> --introspection-client-id demo-rs-introspection`, the secret in the environment. */
let opaqueRs: RunningRs;

beforeAll(async () => {
    [as, introspection] = await Promise.all([startFakeAs(), startFakeIntrospection()]);
    [publicRs, audienceRs, opaqueRs] = await Promise.all([
        startRs(as.issuer, ['--resource-url', PUBLIC_URL, '--accept-typ', 'none']),
        startRs(as.issuer, ['--audience', API_AUDIENCE, '--audience', GUID_AUDIENCE, '--accept-typ', 'JWT']),
        startRs(as.issuer, ['--introspection-url', introspection.url, '--introspection-client-id', RS_CLIENT_ID], { DEMO_RS_INTROSPECTION_SECRET: RS_CLIENT_SECRET })
    ]);
}, 60_000);

afterAll(async () => {
    await Promise.all([publicRs?.stop(), audienceRs?.stop(), opaqueRs?.stop(), as?.stop(), introspection?.close()]);
});

/** `tools/call list-files` through node:http with `host` as the Host header (fetch does not let a caller set it). */
async function listFilesWithHost(rs: RunningRs, host: string, token: string): Promise<number> {
    const { headers, body } = mcpRequest('modern', toolCall('list-files'), token);
    return (await rawHttp(rs.mcpUrl, { method: 'POST', headers: { ...headers, host }, body })).status;
}

describe('--resource-url: the public URL behind a TLS proxy', () => {
    it('the protected-resource metadata names the public URL as the resource', async () => {
        const answer = await send(publicRs.metadataUrl);
        expect(answer.json.resource).toBe(PUBLIC_URL);
    });

    it("the 401's resource_metadata is the public metadata URL", async () => {
        const answer = await post(publicRs, 'modern', toolCall('list-files'));
        expect(answer.status).toBe(401);
        expect(bearerChallengeParams(answer.headers.get('www-authenticate')).resource_metadata).toBe('https://mcp.example.test/.well-known/oauth-protected-resource/mcp');
    });

    it('a token with aud = the public URL is accepted with Host: mcp.example.test, and on loopback', async () => {
        const token = await as.mint({ audience: PUBLIC_URL });
        expect(await listFilesWithHost(publicRs, 'mcp.example.test', token)).toBe(200);
        expect((await post(publicRs, 'modern', toolCall('list-files'), token)).status).toBe(200);
    });

    it('any other Host is still refused (DNS rebinding)', async () => {
        const token = await as.mint({ audience: PUBLIC_URL });
        expect(await listFilesWithHost(publicRs, 'attacker.example', token)).toBe(403);
    });

    it('a token with aud = the loopback URL is refused: the resource is the public URL', async () => {
        const token = await as.mint({ audience: publicRs.mcpUrl });
        const answer = await post(publicRs, 'modern', toolCall('list-files'), token);
        expect(answer.status).toBe(401);
        expect(answer.json.error_description).toBe('The access token was issued for a different resource.');
    });

    it('a DPoP proof is checked against the public URL: htu = public accepted, htu = loopback refused (RFC 9449 §4.3)', async () => {
        const key = await proofKey();
        const token = await as.mintShaped({ aud: PUBLIC_URL, cnf: { jkt: key.jkt } });
        const call = async (htu: string) =>
            post(publicRs, 'modern', toolCall('list-files'), undefined, { authorization: `DPoP ${token}`, dpop: await proof(key, { htm: 'POST', htu, accessToken: token }) });
        expect((await call(PUBLIC_URL)).status).toBe(200);
        const refused = await call(publicRs.mcpUrl);
        expect(refused.status).toBe(401);
        expect(refused.json.error).toBe('invalid_dpop_proof');
    });
});

describe('--audience: the aud values a provider puts there instead of the resource URL', () => {
    it('an API identifier as aud (a string) is accepted', async () => {
        const token = await as.mintShaped({ aud: API_AUDIENCE });
        expect((await post(audienceRs, 'modern', toolCall('list-files'), token)).status).toBe(200);
    });

    it('aud as an array is accepted when any one value is configured', async () => {
        const token = await as.mintShaped({ aud: ['https://graph.example.test', GUID_AUDIENCE] });
        expect((await post(audienceRs, 'modern', toolCall('list-files'), token)).status).toBe(200);
    });

    it('the resource URL itself is no longer accepted, nor an array without a configured value', async () => {
        for (const aud of [audienceRs.mcpUrl, ['https://graph.example.test', 'api://other']]) {
            const answer = await post(audienceRs, 'modern', toolCall('list-files'), await as.mintShaped({ aud }));
            expect(answer.status).toBe(401);
            expect(answer.json.error_description).toBe('The access token was issued for a different resource.');
        }
    });
});

describe('scopes from scp where scope is absent (Entra ID: a string; Okta, Hydra: an array)', () => {
    it('scp as a string grants its scopes', async () => {
        const token = await as.mintShaped({ aud: API_AUDIENCE, scope: undefined, scp: 'files:read files:write' });
        const answer = await post(audienceRs, 'modern', toolCall('write-file', { name: 'scp.txt', content: 'x' }), token);
        expect(answer.status).toBe(200);
    });

    it('scp as an array grants exactly its scopes: list-files ✓, write-file 403 insufficient_scope', async () => {
        const token = await as.mintShaped({ aud: API_AUDIENCE, scope: undefined, scp: ['files:read'] });
        expect((await post(audienceRs, 'modern', toolCall('list-files'), token)).status).toBe(200);
        const write = await post(audienceRs, 'modern', toolCall('write-file', { name: 'scp.txt', content: 'x' }), token);
        expect(write.status).toBe(403);
        expect(write.headers.get('www-authenticate')).toContain('scope="files:write"');
    });

    it('scope wins over scp: scp cannot widen what scope grants', async () => {
        const token = await as.mintShaped({ aud: API_AUDIENCE, scope: 'files:read', scp: ['files:read', 'files:write'] });
        expect((await post(audienceRs, 'modern', toolCall('write-file', { name: 'scp.txt', content: 'x' }), token)).status).toBe(403);
    });
});

describe('--accept-typ: each value adds exactly its typ to at+jwt', () => {
    it('--accept-typ JWT accepts typ JWT; without the flag (the public RS) typ JWT is refused', async () => {
        expect((await post(audienceRs, 'modern', toolCall('list-files'), await as.mintShaped({ aud: API_AUDIENCE }, { typ: 'JWT' }))).status).toBe(200);
        const refused = await post(publicRs, 'modern', toolCall('list-files'), await as.mintShaped({ aud: PUBLIC_URL }, { typ: 'JWT' }));
        expect(refused.status).toBe(401);
        expect(refused.json.error_description).toBe('The token is not an access token (typ must be at+jwt or no typ).');
    });

    it('--accept-typ none accepts a header without typ; without the flag (the audience RS) it is refused', async () => {
        expect((await post(publicRs, 'modern', toolCall('list-files'), await as.mintShaped({ aud: PUBLIC_URL }, { typ: null }))).status).toBe(200);
        const refused = await post(audienceRs, 'modern', toolCall('list-files'), await as.mintShaped({ aud: API_AUDIENCE }, { typ: null }));
        expect(refused.status).toBe(401);
        expect(refused.json.error_description).toBe('The token is not an access token (typ must be at+jwt or JWT).');
    });

    it('at+jwt stays accepted, and any other typ (an ID token would say JWT; a DPoP proof dpop+jwt) is refused', async () => {
        expect((await post(audienceRs, 'modern', toolCall('list-files'), await as.mintShaped({ aud: API_AUDIENCE }))).status).toBe(200);
        expect((await post(audienceRs, 'modern', toolCall('list-files'), await as.mintShaped({ aud: API_AUDIENCE }, { typ: 'dpop+jwt' }))).status).toBe(401);
    });
});

describe('--introspection-url: opaque tokens (RFC 7662), against a fake endpoint', () => {
    /** Files an answer for a fresh opaque token and returns the token. */
    const opaque = (answer: Record<string, unknown> | 'http-500' | 'drop-connection' | 'not-json' | 'too-large') => {
        const token = `opaque-${randomUUID()}`;
        introspection.answers.set(token, answer);
        return token;
    };
    const active = (extra: Record<string, unknown> = {}) => ({ active: true, client_id: 'machine', scope: 'files:read', exp: nowSeconds() + 300, iss: as.issuer, aud: opaqueRs.mcpUrl, ...extra });

    it('an active answer is accepted with its scopes, the RS authenticating with client_secret_basic', async () => {
        const token = opaque(active());
        expect((await post(opaqueRs, 'modern', toolCall('list-files'), token)).status).toBe(200);
        const write = await post(opaqueRs, 'modern', toolCall('write-file', { name: 'o.txt', content: 'x' }), token);
        expect(write.status).toBe(403);
        expect(write.headers.get('www-authenticate')).toContain('scope="files:write"');
    });

    it('the answer is cached: a second call with the token is not introspected again', async () => {
        const token = opaque(active());
        await post(opaqueRs, 'modern', toolCall('list-files'), token);
        expect((await post(opaqueRs, 'modern', toolCall('list-files'), token)).status).toBe(200);
        expect(introspection.calls.get(token)).toBe(1);
    });

    it('active: false → 401 invalid_token, and the refusal is not cached', async () => {
        const token = opaque({ active: false });
        for (let i = 0; i < 2; i++) {
            const answer = await post(opaqueRs, 'modern', toolCall('list-files'), token);
            expect(answer.status).toBe(401);
            expect(answer.json.error).toBe('invalid_token');
        }
        expect(introspection.calls.get(token)).toBe(2);
    });

    it('an answer naming another audience or issuer, or whose exp has passed, is refused, and an expired one is never cached', async () => {
        const cases: [Record<string, unknown>, string][] = [
            [active({ aud: ['https://other.example/mcp'] }), 'The access token was issued for a different resource.'],
            [active({ iss: 'https://other-as.example' }), 'The access token was issued by a different authorization server.'],
            [active({ exp: nowSeconds() - 1 }), 'The access token has expired.'],
            [active({ exp: undefined }), 'The access token has no expiry in its introspection answer.']
        ];
        for (const [answer, description] of cases) {
            const token = opaque(answer);
            const refused = await post(opaqueRs, 'modern', toolCall('list-files'), token);
            expect(refused.status).toBe(401);
            expect(refused.json.error_description).toBe(description);
        }
        const expired = opaque(active({ exp: nowSeconds() - 1 }));
        await post(opaqueRs, 'modern', toolCall('list-files'), expired);
        await post(opaqueRs, 'modern', toolCall('list-files'), expired);
        expect(introspection.calls.get(expired)).toBe(2);
    });

    it('an endpoint that fails (HTTP 500, a dropped connection, a non-JSON page, an answer over 64 KB) → 503 with Retry-After, never a 5xx stack', async () => {
        for (const failure of ['http-500', 'drop-connection', 'not-json', 'too-large'] as const) {
            const answer = await post(opaqueRs, 'modern', toolCall('list-files'), opaque(failure));
            expect(answer.status).toBe(503);
            expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
            expect(answer.json.error).toBe('temporarily_unavailable');
            expect(answer.text).not.toMatch(/exploded|at .*\.ts|sign in/);
        }
    });

    it('a JWT is still verified locally, never sent to the endpoint', async () => {
        const token = await as.mint({ audience: opaqueRs.mcpUrl });
        expect((await post(opaqueRs, 'modern', toolCall('list-files'), token)).status).toBe(200);
        expect(introspection.calls.has(token)).toBe(false);
    });

    it('without --introspection-url an opaque token is refused as malformed, and nothing is introspected', async () => {
        const token = opaque(active({ aud: PUBLIC_URL }));
        const answer = await post(publicRs, 'modern', toolCall('list-files'), token);
        expect(answer.status).toBe(401);
        expect(introspection.calls.has(token)).toBe(false);
    });

    it('the secret never appears in the RS output', () => {
        expect([...opaqueRs.stdout, ...opaqueRs.stderr].join('\n')).not.toContain(RS_CLIENT_SECRET);
    });
});

describe('the command line', () => {
    it('--help lists every flag; --introspection-url without the secret in the environment is one line and exit 2', async () => {
        const help = await runToEnd('demo-rs/main.ts', ['--help']);
        expect(help.code).toBe(0);
        for (const flag of ['--resource-url', '--audience', '--accept-typ', '--introspection-url', '--introspection-client-id', 'DEMO_RS_INTROSPECTION_SECRET']) {
            expect(help.stdout).toContain(flag);
        }
        const { DEMO_RS_INTROSPECTION_SECRET: _unset, ...env } = process.env;
        const run = await runToEnd('demo-rs/main.ts', ['--issuer', as.issuer, '--introspection-url', introspection.url, '--introspection-client-id', RS_CLIENT_ID], { env: { ...env, DEMO_RS_INTROSPECTION_SECRET: '' } });
        expect(run.code).toBe(2);
        expect(run.stderr.trim().split('\n')).toEqual(['demo-rs: --introspection-url needs the client secret in the environment variable DEMO_RS_INTROSPECTION_SECRET']);
    });
});
