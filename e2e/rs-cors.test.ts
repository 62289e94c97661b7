/**
 * Resource Server, CORS for browser-based MCP clients: preflights are
 * answered before authentication; the 401 a browser client gets exposes its
 * `WWW-Authenticate` challenge (RFC 9728 §5.1) and the MCP headers; loopback
 * origins are allowed by default and `--allowed-origin` names more, exactly;
 * any other Origin on /mcp is still 403 (MCP transport security). The real
 * demo-rs against the fake AS; a real-browser check is in e2e/rs-cors-browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/spawn.ts';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { bearerChallengeParams, mcpRequest, send, toolCall, type RunningRs } from './rs-fixture.ts';

const NAMED = 'https://app.example';
const LOOPBACK_PAGE = 'http://localhost:5173';

let as: FakeAs;
let rs: RunningRs;
let token: string;

beforeAll(async () => {
    as = await startFakeAs();
    const server = await startServer('demo-rs/main.ts', ['--port', '0', '--issuer', as.origin, '--allowed-origin', `${NAMED}/`, '--allowed-origin', 'http://tools.example:8080']);
    rs = Object.assign(server, { mcpUrl: `${server.origin}/mcp`, metadataUrl: `${server.origin}/.well-known/oauth-protected-resource/mcp` });
    token = await as.mint({ audience: rs.mcpUrl, scope: 'files:read' });
});

afterAll(async () => {
    await rs?.stop();
    await as?.stop();
});

function preflight(origin: string, url = rs.mcpUrl) {
    return send(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version, mcp-method, mcp-name' }
    });
}

function postFrom(origin: string, bearer?: string) {
    const { headers, body } = mcpRequest('legacy', toolCall('list-files'), bearer);
    return send(rs.mcpUrl, { method: 'POST', headers: { ...headers, origin }, body });
}

const listOf = (header: string | null) => (header ?? '').split(',').map((name) => name.trim().toLowerCase());

describe('preflight (OPTIONS) from an allowed origin', () => {
    it.each([LOOPBACK_PAGE, 'http://127.0.0.1:9999', 'http://[::1]:3000', NAMED, 'http://tools.example:8080'])('%s → 204 before authentication', async (origin) => {
        const answer = await preflight(origin);
        expect(answer.status).toBe(204);
        expect(answer.headers.get('www-authenticate')).toBeNull();
        expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
        expect(listOf(answer.headers.get('access-control-allow-methods'))).toContain('post');
        expect(listOf(answer.headers.get('access-control-allow-headers'))).toEqual(
            expect.arrayContaining(['authorization', 'content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id'])
        );
        expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    });
});

describe('responses to an allowed origin', () => {
    it('the 401 carries Access-Control-Allow-Origin and exposes WWW-Authenticate and the MCP headers', async () => {
        const answer = await postFrom(LOOPBACK_PAGE);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('access-control-allow-origin')).toBe(LOOPBACK_PAGE);
        expect(listOf(answer.headers.get('access-control-expose-headers'))).toEqual(
            expect.arrayContaining(['www-authenticate', 'mcp-session-id', 'mcp-protocol-version'])
        );
        expect(bearerChallengeParams(answer.headers.get('www-authenticate'))).toMatchObject({ resource_metadata: rs.metadataUrl, scope: 'files:read' });
        expect(answer.headers.get('vary')).toMatch(/origin/i);
    });

    it('an authorized call from the --allowed-origin page → 200 with its origin allowed', async () => {
        const answer = await postFrom(NAMED, token);
        expect(answer.status).toBe(200);
        expect(answer.headers.get('access-control-allow-origin')).toBe(NAMED);
    });

    it('the protected-resource metadata too', async () => {
        const answer = await send(rs.metadataUrl, { headers: { origin: NAMED } });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('access-control-allow-origin')).toBe(NAMED);
    });
});

describe('any other Origin is still 403 on /mcp', () => {
    it.each(['https://attacker.example', 'https://app.example:8443', 'http://app.example', 'null'])('%s: a POST with a valid token → 403, no CORS headers', async (origin) => {
        const answer = await postFrom(origin, token);
        expect(answer.status).toBe(403);
        expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('and its preflight → 403, no CORS headers', async () => {
        const answer = await preflight('https://attacker.example');
        expect(answer.status).toBe(403);
        expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('a request without Origin (not a browser) is unaffected: no CORS headers, normal authentication', async () => {
        const { headers, body } = mcpRequest('legacy', toolCall('list-files'), token);
        const answer = await send(rs.mcpUrl, { method: 'POST', headers, body });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    });
});

