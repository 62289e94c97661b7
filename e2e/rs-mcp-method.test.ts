/**
 * Resource Server, the `Mcp-Method` header must agree with the body's method
 * in both protocol eras (SEP-2243), as `Mcp-Name` must: a gateway that
 * authorizes on the header must never see a read while the RS runs a write.
 * The real demo-rs against the fake AS, with a token that may write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { callLines, post, send, startRs, toolCall, waitForOutput, type Era, type RunningRs } from './rs-fixture.ts';

let as: FakeAs;
let rs: RunningRs;
let readWrite: string;

beforeAll(async () => {
    as = await startFakeAs();
    rs = await startRs(as.origin);
    readWrite = await as.mint({ audience: rs.mcpUrl, scope: 'files:read files:write', clientId: 'writer' });
});

afterAll(async () => {
    await rs?.stop();
    await as?.stop();
});

const MISMATCH = 'The Mcp-Method header does not match the method named in the request body.';

async function fileNames(era: Era): Promise<string[]> {
    const answer = await post(rs, era, toolCall('list-files'), readWrite);
    return (answer.json.result.structuredContent.files as Array<{ name: string }>).map((file) => file.name);
}

describe('Mcp-Method header', () => {
    it.each<Era>(['legacy', 'modern'])('saying tools/list over a tools/call write-file body → 400, nothing written (%s)', async (era) => {
        const name = `sneaky-${era}.txt`;
        const answer = await post(rs, era, toolCall('write-file', { name, content: 'x' }), readWrite, { 'mcp-method': 'tools/list' });
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({ jsonrpc: '2.0', error: { code: -32600, message: MISMATCH }, id: 1 });
        expect(answer.text).not.toContain('sneaky');
        await waitForOutput(rs.stdout, 'call tool=write-file client_id=writer status=400');
        expect(callLines(rs).some((line) => line.startsWith('call tool=write-file') && line.endsWith('status=200'))).toBe(false);
        expect(await fileNames(era)).not.toContain(name);
    });

    it('a header over a body that names no method (a JSON-RPC response) → 400', async () => {
        const answer = await send(rs.mcpUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${readWrite}`, 'mcp-method': 'tools/list' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 9, result: {} })
        });
        expect(answer.status).toBe(400);
        expect(answer.json.error.message).toBe(MISMATCH);
    });

    it('a matching header is accepted in the 2025 era too', async () => {
        const answer = await post(rs, 'legacy', toolCall('write-file', { name: 'honest.txt', content: 'x' }), readWrite, { 'mcp-method': 'tools/call' });
        expect(answer.status).toBe(200);
        expect(await fileNames('legacy')).toContain('honest.txt');
    });
});
