/**
 * Resource Server, one credential one way (RFC 6750 §2.1, `"Bearer" 1*SP
 * b64token`): two tokens, text after the token, a scheme without a token, or
 * two Authorization headers are a malformed request — 400 invalid_request
 * with a challenge, never a call run with the first token; several spaces
 * after `Bearer` are legal and accepted. The real demo-rs against the fake AS;
 * two headers go over a raw socket, since fetch and node:http join or refuse them.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { bearerChallengeParams, callLines, post, startRs, toolCall, type RunningRs } from './rs-fixture.ts';

let as: FakeAs;
let rs: RunningRs;
let token: string;
let other: string;

beforeAll(async () => {
    as = await startFakeAs();
    rs = await startRs(as.origin);
    token = await as.mint({ audience: rs.mcpUrl, scope: 'files:read' });
    other = await as.mint({ audience: rs.mcpUrl, scope: 'files:read', clientId: 'other-client' });
});

afterAll(async () => {
    await rs?.stop();
    await as?.stop();
});

const listFiles = (authorization: string) => post(rs, 'legacy', toolCall('list-files'), undefined, { authorization });

/** A POST /mcp written byte for byte, so it can carry `authorizations` as separate header lines. */
function postWithHeaders(authorizations: string[]): Promise<{ status: number; headers: string; body: string }> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } });
    const { host, port } = new URL(rs.mcpUrl);
    const head = [
        'POST /mcp HTTP/1.1',
        `Host: ${host}`,
        'Content-Type: application/json',
        'Accept: application/json, text/event-stream',
        'Mcp-Protocol-Version: 2025-11-25',
        ...authorizations.map((value) => `Authorization: ${value}`),
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close'
    ];
    return new Promise((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(`${head.join('\r\n')}\r\n\r\n${body}`));
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('error', reject);
        socket.on('end', () => {
            const [headers = '', rest = ''] = text.split('\r\n\r\n');
            resolve({ status: Number(headers.split(' ')[1]), headers, body: rest });
        });
    });
}

describe('malformed Authorization → 400 invalid_request with a challenge (RFC 6750 §3.1)', () => {
    it.each([
        ['two tokens', () => `Bearer ${token} ${other}`],
        ['trailing text after the token', () => `Bearer ${token} trailing`],
        ['a second credential after a comma', () => `Bearer ${token}, Bearer ${other}`],
        ['a character outside b64token', () => `Bearer ${token}!`],
        ['the scheme without a token', () => 'Bearer']
    ])('%s', async (_label, authorization) => {
        const calls = callLines(rs).length;
        const answer = await listFiles(authorization());
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
        expect(bearerChallengeParams(answer.headers.get('www-authenticate'))).toEqual({
            error: 'invalid_request',
            resource_metadata: rs.metadataUrl,
            scope: 'files:read'
        });
        expect(answer.text).not.toContain(token.slice(-16));
        expect(answer.text).not.toContain('trailing');
        expect(callLines(rs).slice(calls).every((line) => !line.endsWith('status=200'))).toBe(true);
    });

    it('two Authorization headers, each valid on its own', async () => {
        const answer = await postWithHeaders([`Bearer ${token}`, `Bearer ${other}`]);
        expect(answer.status).toBe(400);
        expect(answer.headers).toMatch(/^WWW-Authenticate: Bearer error="invalid_request", /im);
        expect(JSON.parse(answer.body)).toEqual({
            error: 'invalid_request',
            error_description: 'The request carries more than one Authorization header; send exactly one credential.'
        });
    });

    it('two Authorization headers, even when the second is another scheme', async () => {
        expect((await postWithHeaders([`Bearer ${token}`, 'Basic dXNlcjpwYXNz'])).status).toBe(400);
    });
});

describe('legal spellings are accepted', () => {
    it('several spaces after Bearer (1*SP)', async () => {
        const answer = await listFiles(`Bearer    ${token}`);
        expect(answer.status).toBe(200);
        expect(answer.json.result.structuredContent.files.length).toBeGreaterThan(0);
    });

    it('the scheme in any letter case (RFC 9110 §11.1)', async () => {
        expect((await listFiles(`bEARER ${token}`)).status).toBe(200);
    });

    it('one Authorization header on its own line', async () => {
        expect((await postWithHeaders([`Bearer ${token}`])).status).toBe(200);
    });

    it('another scheme alone is still "no token": 401 without an error code', async () => {
        const answer = await listFiles('Basic dXNlcjpwYXNz');
        expect(answer.status).toBe(401);
        expect(bearerChallengeParams(answer.headers.get('www-authenticate')).error).toBeUndefined();
    });
});
