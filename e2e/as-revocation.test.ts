/**
 * demo-as /revoke (RFC 7009) against the real process: advertised in the
 * metadata; revoking a refresh token revokes its whole family (neither it nor
 * the token rotated from it refreshes again, and the consent page stops
 * marking its scopes "Already allowed"); an unknown token is 200; a client
 * can revoke only its own tokens; client authentication is as at /token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/spawn.ts';
import { authorizeUrl, completeFlow, openConsent, pkcePair, postForm, postJson, refreshTokens, registerClient } from './as-flow.ts';

let as: RunningServer;

beforeAll(async () => {
    as = await startServer('demo-as/main.ts', ['--port', '0']);
});

afterAll(async () => {
    await as?.stop();
});

const revoke = (fields: Record<string, string> | [string, string][]) => postForm(`${as.origin}/revoke`, fields);

async function expectError(response: Response, status: number, error: string): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ error });
}

describe('demo-as /revoke', () => {
    it('is advertised as revocation_endpoint, for public clients', async () => {
        const metadata = await (await fetch(`${as.origin}/.well-known/oauth-authorization-server`)).json();
        expect(metadata.revocation_endpoint).toBe(`${as.origin}/revoke`);
        expect(metadata.revocation_endpoint_auth_methods_supported).toEqual(['none']);
    });

    it('revokes the whole family: the revoked token and the one rotated from it no longer refresh', async () => {
        const { grant, tokens } = await completeFlow(as.origin);
        const clientId = grant.client.clientId;
        const rotated = await refreshTokens(as.origin, clientId, tokens.refresh_token);
        expect(rotated.status).toBe(200);
        const current = ((await rotated.json()) as { refresh_token: string }).refresh_token;

        const response = await revoke({ token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: clientId });
        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe('no-store');

        for (const token of [current, tokens.refresh_token]) {
            const refused = await refreshTokens(as.origin, clientId, token);
            expect(refused.status).toBe(400);
            expect(await refused.json()).toMatchObject({ error: 'invalid_grant', error_description: 'the refresh token has been revoked' });
        }
    });

    it('revokes with or without token_type_hint, whatever the hint says', async () => {
        for (const hint of [undefined, 'access_token', 'something_else']) {
            const { grant, tokens } = await completeFlow(as.origin);
            const response = await revoke({ token: tokens.refresh_token, client_id: grant.client.clientId, ...(hint ? { token_type_hint: hint } : {}) });
            expect(response.status).toBe(200);
            expect((await refreshTokens(as.origin, grant.client.clientId, tokens.refresh_token)).status).toBe(400);
        }
    });

    it('after revocation the consent page no longer marks those scopes "Already allowed"', async () => {
        const { grant, tokens } = await completeFlow(as.origin, { scope: 'files:read' });
        const stepUp = () => openConsent(authorizeUrl(as.origin, { client: grant.client, pkce: pkcePair(), scope: 'files:read files:write' }));
        expect((await stepUp()).html).toContain('Already allowed');
        expect((await revoke({ token: tokens.refresh_token, client_id: grant.client.clientId })).status).toBe(200);
        const after = await stepUp();
        expect(after.response.status).toBe(200);
        expect(after.html).not.toMatch(/already allowed|class="mark"/i);
    });

    it('answers 200 for a token it does not know, an access token and a token already revoked, and leaves other families alone', async () => {
        const { grant, tokens } = await completeFlow(as.origin);
        const clientId = grant.client.clientId;
        for (const token of ['not-a-token', tokens.access_token]) expect((await revoke({ token, client_id: clientId })).status).toBe(200);
        expect((await refreshTokens(as.origin, clientId, tokens.refresh_token)).status).toBe(200);

        const other = await completeFlow(as.origin);
        expect((await revoke({ token: other.tokens.refresh_token, client_id: other.grant.client.clientId })).status).toBe(200);
        expect((await revoke({ token: other.tokens.refresh_token, client_id: other.grant.client.clientId })).status).toBe(200);
    });

    it("refuses to revoke another client's token, and the token keeps working", async () => {
        const victim = await completeFlow(as.origin);
        const attacker = await registerClient(as.origin);
        await expectError(await revoke({ token: victim.tokens.refresh_token, client_id: attacker.clientId }), 400, 'invalid_grant');
        expect((await refreshTokens(as.origin, victim.grant.client.clientId, victim.tokens.refresh_token)).status).toBe(200);
    });

    it('authenticates the client as /token does: a missing or unknown client_id is invalid_client, and nothing is revoked', async () => {
        const { grant, tokens } = await completeFlow(as.origin);
        await expectError(await revoke({ token: tokens.refresh_token }), 400, 'invalid_client');
        await expectError(await revoke({ token: tokens.refresh_token, client_id: 'unknown-client' }), 400, 'invalid_client');
        expect((await refreshTokens(as.origin, grant.client.clientId, tokens.refresh_token)).status).toBe(200);
    });

    it('refuses a missing token, repeated parameters, a JSON body and GET', async () => {
        const client = await registerClient(as.origin);
        await expectError(await revoke({ client_id: client.clientId }), 400, 'invalid_request');
        await expectError(
            await revoke([
                ['token', 'a'],
                ['token', 'b'],
                ['client_id', client.clientId]
            ]),
            400,
            'invalid_request'
        );
        await expectError(await postJson(`${as.origin}/revoke`, { token: 'a', client_id: client.clientId }), 400, 'invalid_request');
        await expectError(await fetch(`${as.origin}/revoke`), 405, 'method_not_allowed');
    });

    it('logs one line per request, naming the client and whether a family was revoked, never the token', async () => {
        const { grant, tokens } = await completeFlow(as.origin);
        await revoke({ token: tokens.refresh_token, client_id: grant.client.clientId });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(as.stdout).toContain(`revoke client_id=${grant.client.clientId} status=200 revoked=family`);
        expect(as.stdout.join('\n')).not.toContain(tokens.refresh_token);
        expect(as.stdout.filter((line) => line.startsWith('revoke ')).every((line) => /^revoke client_id=\S+ status=\d{3}( error=[a-z_]+)?( revoked=family)?$/.test(line))).toBe(true);
    });
});
