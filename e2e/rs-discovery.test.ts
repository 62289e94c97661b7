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
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAs, type FakeAsOptions } from './fixtures/fake-as.ts';
import { post, startRs, toolCall, waitForOutput, type RunningRs } from './rs-fixture.ts';

const running: Array<{ stop(): Promise<unknown> }> = [];

afterEach(async () => {
    await Promise.all(running.splice(0).map((thing) => thing.stop()));
});

/** A fake AS of the given shape, a demo-rs trusting its issuer, and one list-files call with a good token. */
async function listFilesAgainst(options: FakeAsOptions) {
    const as = await startFakeAs(options);
    running.push(as);
    const rs: RunningRs = await startRs(as.issuer);
    running.push(rs);
    const answer = await post(rs, 'legacy', toolCall('list-files'), await as.mint({ audience: rs.mcpUrl }));
    return { as, rs, answer };
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
        const { as, answer } = await listFilesAgainst({ issuerPath: '/oidc', metadataAt: 'oidc-appended' });
        expect(answer.status).toBe(200);
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
        const { as, rs, answer } = await listFilesAgainst({ issuerPath: '/' });
        expect(as.issuer).toBe(`${as.origin}/`);
        expect(answer.status).toBe(200);
        expect(as.hits.get('/.well-known/oauth-authorization-server')).toBe(1);
        const metadata = (await (await fetch(rs.metadataUrl)).json()) as { authorization_servers: string[] };
        expect(metadata.authorization_servers).toEqual([as.issuer]);
    });

    it('iss is compared exactly: a trailing slash more or less is another issuer (401)', async () => {
        const refusals: Record<string, unknown> = {};
        for (const issuerPath of ['/', '']) {
            const as = await startFakeAs({ issuerPath });
            running.push(as);
            const rs = await startRs(as.issuer);
            running.push(rs);
            const answer = await post(rs, 'legacy', toolCall('list-files'), await as.mintBad('iss-slash-toggled', { audience: rs.mcpUrl }));
            refusals[issuerPath ? 'issuer with the slash, iss without' : 'issuer without the slash, iss with'] = [answer.status, answer.json.error_description];
        }
        const differentIssuer = [401, 'The access token was issued by a different authorization server.'];
        expect(refusals).toEqual({ 'issuer with the slash, iss without': differentIssuer, 'issuer without the slash, iss with': differentIssuer });
    });
});

describe('access-token signing algorithms', () => {
    const asymmetric = ['EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512'];

    it(`tokens signed with each of ${asymmetric.join(', ')} are accepted`, async () => {
        const as = await startFakeAs({ algs: asymmetric });
        running.push(as);
        const rs = await startRs(as.issuer);
        running.push(rs);
        const statuses: Record<string, number> = {};
        for (const alg of asymmetric) statuses[alg] = (await post(rs, 'legacy', toolCall('list-files'), await as.mint({ audience: rs.mcpUrl, alg }))).status;
        expect(statuses).toEqual(Object.fromEntries(asymmetric.map((alg) => [alg, 200])));
    });

    it("an EdDSA-signed token from an issuer with a path and OIDC-only metadata (oidc-provider's shape) is accepted", async () => {
        const { answer } = await listFilesAgainst({ algs: ['EdDSA'], issuerPath: '/oidc', metadataAt: 'oidc-appended' });
        expect(answer.status).toBe(200);
    });
});
