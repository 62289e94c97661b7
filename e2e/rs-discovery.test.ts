/**
 * Resource Server vs. the shapes real authorization servers come in: the RS
 * finds the metadata where RFC 8414 §3.1 puts it and, failing that, where
 * OpenID Connect Discovery does (both forms for an issuer with a path), in
 * the order the MCP authorization spec lists them; it accepts access tokens
 * signed with any asymmetric JWS algorithm (EdDSA and RFC 9864's Ed25519, PS256, ES384, RS512, …).
 * When no location answers, the 503's log line names every URL tried and
 * what it answered. The issuer is used exactly as given and as the AS names
 * itself (RFC 8414 §3.3): one ending in `/` keeps it, in the metadata check,
 * the protected-resource metadata and the tokens' `iss`.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFakeAs, type FakeAs, type FakeAsOptions } from './fixtures/fake-as.ts';
import { post, startRs, toolCall, waitForOutput, type RunningRs } from './rs-fixture.ts';

const running: Array<{ stop(): Promise<unknown> }> = [];
const runningForTheFile: Array<{ stop(): Promise<unknown> }> = [];

afterEach(async () => {
    await Promise.all(running.splice(0).map((thing) => thing.stop()));
});
afterAll(async () => {
    await Promise.all(runningForTheFile.splice(0).map((thing) => thing.stop()));
});

/** A fake AS of the given shape and a demo-rs trusting its issuer, stopped after the test. */
async function pairFor(options: FakeAsOptions, stopAfter = running) {
    const as = await startFakeAs(options);
    stopAfter.push(as);
    const rs: RunningRs = await startRs(as.issuer);
    stopAfter.push(rs);
    return { as, rs };
}

// A demo-rs discovers its AS once and trusts only that issuer, so a pair is shared only by tests of one AS shape;
// what a test checks of the discovery (the paths hit, and how often) is the same whichever test came first.
const sharedPairs = new Map<FakeAsOptions, Promise<{ as: FakeAs; rs: RunningRs }>>();

/** The pair of this shape the file's tests share, started on first use and stopped after the file. */
function sharedPair(shape: FakeAsOptions) {
    if (!sharedPairs.has(shape)) sharedPairs.set(shape, pairFor(shape, runningForTheFile));
    return sharedPairs.get(shape)!;
}

const ASYMMETRIC_ALGS = ['EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512'];
/** Shared shapes: an issuer ending in "/"; an origin issuer signing with every asymmetric algorithm; oidc-provider's shape. */
const SLASH_ISSUER: FakeAsOptions = { issuerPath: '/' };
const EVERY_ALG: FakeAsOptions = { algs: ASYMMETRIC_ALGS };
const OIDC_APPENDED: FakeAsOptions = { issuerPath: '/oidc', metadataAt: 'oidc-appended', algs: ['ES256', 'EdDSA'] };

/** One list-files call with a good token (signed with `alg`, or the AS's first). */
const listFiles = async (as: FakeAs, rs: RunningRs, alg?: string) => post(rs, 'legacy', toolCall('list-files'), await as.mint({ audience: rs.mcpUrl, alg }));

/** A fake AS of the given shape, a demo-rs trusting its issuer, and one list-files call with a good token. */
async function listFilesAgainst(options: FakeAsOptions) {
    const { as, rs } = await pairFor(options);
    return { as, rs, answer: await listFiles(as, rs) };
}

describe('AS metadata discovery', () => {
    it('an issuer with a path, metadata at the RFC 8414 inserted location', async () => {
        const { as, answer } = await listFilesAgainst({ issuerPath: '/tenant1', metadataAt: 'oauth' });
        expect(answer.status).toBe(200);
        expect(as.hits.get('/.well-known/oauth-authorization-server/tenant1')).toBe(1);
        expect(as.hits.get('/tenant1/jwks')).toBe(1);
    });

    it('OIDC-only metadata for an origin issuer: RFC 8414 first (404), then /.well-known/openid-configuration', async () => {
        const { as, answer } = await listFilesAgainst({ metadataAt: 'oidc-inserted' });
        expect(answer.status).toBe(200);
        expect(as.hits.get('/.well-known/oauth-authorization-server')).toBe(1);
        expect(as.hits.get('/.well-known/openid-configuration')).toBe(1);
    });

    it('an issuer with a path, OIDC metadata inserted before the path', async () => {
        const { as, answer } = await listFilesAgainst({ issuerPath: '/oidc', metadataAt: 'oidc-inserted' });
        expect(answer.status).toBe(200);
        expect(as.hits.get('/.well-known/openid-configuration/oidc')).toBe(1);
        expect(as.hits.get('/oidc/.well-known/openid-configuration')).toBeUndefined();
    });

    it('an issuer with a path, OIDC metadata appended after the path (where oidc-provider serves it), tried last', async () => {
        const { as, rs } = await sharedPair(OIDC_APPENDED);
        expect((await listFiles(as, rs)).status).toBe(200);
        const tried = [...as.hits.keys()].filter((path) => path.includes('.well-known'));
        expect(tried).toEqual(['/.well-known/oauth-authorization-server/oidc', '/.well-known/openid-configuration/oidc', '/oidc/.well-known/openid-configuration']);
    });

    it('no metadata anywhere: 503, and the log line names each URL tried and what it answered', async () => {
        const { as, rs, answer } = await listFilesAgainst({ issuerPath: '/oidc', metadataAt: 'nowhere' });
        expect(answer.status).toBe(503);
        expect(answer.json).toMatchObject({ error: 'temporarily_unavailable' });
        const o = as.origin;
        await waitForOutput(
            rs.stderr,
            `authorization server ${as.issuer} unavailable: its metadata could not be fetched (tried ` +
                `${o}/.well-known/oauth-authorization-server/oidc → HTTP 404; ${o}/.well-known/openid-configuration/oidc → HTTP 404; ${o}/oidc/.well-known/openid-configuration → HTTP 404)`
        );
    });

    it('an AS that is down: each URL tried is named with "no connection"', async () => {
        const as = await startFakeAs();
        await as.stop();
        const rs = await startRs(as.issuer);
        running.push(rs);
        expect((await post(rs, 'legacy', toolCall('list-files'), await as.mint({ audience: rs.mcpUrl }))).status).toBe(503);
        await waitForOutput(rs.stderr, `tried ${as.origin}/.well-known/oauth-authorization-server → no connection (ECONNREFUSED); ${as.origin}/.well-known/openid-configuration → no connection (ECONNREFUSED))`);
    });
});

describe('the issuer, exactly as the AS names itself (RFC 8414 §3.3)', () => {
    it('an issuer ending in "/": metadata found where RFC 8414 §3.1 puts it, the issuer listed as given, its tokens accepted', async () => {
        const { as, rs } = await sharedPair(SLASH_ISSUER);
        expect(as.issuer).toBe(`${as.origin}/`);
        expect((await listFiles(as, rs)).status).toBe(200);
        expect(as.hits.get('/.well-known/oauth-authorization-server')).toBe(1);
        const metadata = (await (await fetch(rs.metadataUrl)).json()) as { authorization_servers: string[] };
        expect(metadata.authorization_servers).toEqual([as.issuer]);
    });

    it('iss is compared exactly: a trailing slash more or less is another issuer (401)', async () => {
        const refusals: Record<string, unknown> = {};
        for (const shape of [SLASH_ISSUER, EVERY_ALG]) {
            const { as, rs } = await sharedPair(shape);
            const answer = await post(rs, 'legacy', toolCall('list-files'), await as.mintBad('iss-slash-toggled', { audience: rs.mcpUrl }));
            refusals[as.issuer.endsWith('/') ? 'issuer with the slash, iss without' : 'issuer without the slash, iss with'] = [answer.status, answer.json.error_description];
        }
        const differentIssuer = [401, 'The access token was issued by a different authorization server.'];
        expect(refusals).toEqual({ 'issuer with the slash, iss without': differentIssuer, 'issuer without the slash, iss with': differentIssuer });
    });
});

describe('access-token signing algorithms', () => {
    it(`tokens signed with each of ${ASYMMETRIC_ALGS.join(', ')} are accepted`, async () => {
        const { as, rs } = await sharedPair(EVERY_ALG);
        const statuses: Record<string, number> = {};
        for (const alg of ASYMMETRIC_ALGS) statuses[alg] = (await listFiles(as, rs, alg)).status;
        expect(statuses).toEqual(Object.fromEntries(ASYMMETRIC_ALGS.map((alg) => [alg, 200])));
    });

    it("an EdDSA-signed token from an issuer with a path and OIDC-only metadata (oidc-provider's shape) is accepted", async () => {
        const { as, rs } = await sharedPair(OIDC_APPENDED);
        expect((await listFiles(as, rs, 'EdDSA')).status).toBe(200);
    });
});
