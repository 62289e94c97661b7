/**
 * Resource Server, per-tool scopes: `tools/list` shows each tool's scope, a
 * call without it is refused at the HTTP layer with 403 insufficient_scope
 * (decided from the JSON-RPC body), a disagreeing `Mcp-Name` header is a 400,
 * and every call leaves one log line. Checked in both protocol eras.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { bearerChallengeParams, callLines, post, send, startRs, toolCall, waitForOutput, type Era, type HttpAnswer, type RunningRs } from './rs-fixture.ts';

let as: FakeAs;
let rs: RunningRs;
let readOnly: string;
let readWrite: string;

beforeAll(async () => {
    as = await startFakeAs();
    rs = await startRs(as.origin);
    readOnly = await as.mint({ audience: rs.mcpUrl, scope: 'files:read', clientId: 'reader' });
    readWrite = await as.mint({ audience: rs.mcpUrl, scope: 'files:read files:write', clientId: 'writer' });
});

afterAll(async () => {
    await rs?.stop();
    await as?.stop();
});

/** A 403 whose Bearer challenge says insufficient_scope, names exactly `scope`, and points at our metadata. */
function expectInsufficientScope(answer: HttpAnswer, scope: string): void {
    expect(answer.status).toBe(403);
    expect(bearerChallengeParams(answer.headers.get('www-authenticate'))).toMatchObject({
        error: 'insufficient_scope',
        scope,
        resource_metadata: rs.metadataUrl
    });
    expect(answer.json).toMatchObject({ error: 'insufficient_scope' });
}

describe('tools/list', () => {
    it.each<Era>(['legacy', 'modern'])('shows each tool and its scope in the description and _meta (%s)', async (era) => {
        const answer = await post(rs, era, { method: 'tools/list', params: {} }, readOnly);
        expect(answer.status).toBe(200);
        const tools = answer.json.result.tools as Array<{ name: string; description: string; _meta: Record<string, string> }>;
        const scopes = Object.fromEntries(tools.map((tool) => [tool.name, tool._meta['scoped-tools/required-scope']]));
        expect(scopes).toEqual({ 'list-files': 'files:read', 'read-file': 'files:read', 'write-file': 'files:write', 'purge-files': 'files:admin' });
        for (const tool of tools) expect(tool.description).toContain(`Requires scope ${scopes[tool.name]}.`);
    });
});

describe.each<Era>(['legacy', 'modern'])('tools/call scopes (%s era)', (era) => {
    it('list-files with files:read ✓', async () => {
        const answer = await post(rs, era, toolCall('list-files'), readOnly);
        expect(answer.status).toBe(200);
        const names = answer.json.result.structuredContent.files.map((file: { name: string }) => file.name);
        expect(names).toEqual(expect.arrayContaining(['README.md', 'notes.txt']));
    });

    it('write-file with files:read only → 403 insufficient_scope naming files:write', async () => {
        const answer = await post(rs, era, toolCall('write-file', { name: `${era}.txt`, content: 'denied' }), readOnly);
        expectInsufficientScope(answer, 'files:write');

        const read = await post(rs, era, toolCall('read-file', { name: `${era}.txt` }), readOnly);
        expect(read.json.result.isError).toBe(true);
    });

    it('write-file with files:read files:write ✓, then list-files and read-file still ✓', async () => {
        const write = await post(rs, era, toolCall('write-file', { name: `${era}.txt`, content: `hello from ${era}` }), readWrite);
        expect(write.status).toBe(200);
        expect(write.json.result.structuredContent).toEqual({ name: `${era}.txt`, bytes: `hello from ${era}`.length, created: true });

        const list = await post(rs, era, toolCall('list-files'), readWrite);
        expect(list.status).toBe(200);
        expect(list.json.result.structuredContent.files).toContainEqual({ name: `${era}.txt`, bytes: `hello from ${era}`.length });

        const read = await post(rs, era, toolCall('read-file', { name: `${era}.txt` }), readOnly);
        expect(read.json.result.structuredContent).toEqual({ name: `${era}.txt`, content: `hello from ${era}` });
    });

    it('purge-files → 403 naming files:admin, even with read and write', async () => {
        const answer = await post(rs, era, toolCall('purge-files'), readWrite);
        expectInsufficientScope(answer, 'files:admin');
        expect((await post(rs, era, toolCall('list-files'), readOnly)).json.result.structuredContent.files.length).toBeGreaterThan(0);
    });

    it('an unknown tool is left to the SDK (a JSON-RPC error, not a scope refusal)', async () => {
        const answer = await post(rs, era, toolCall('no-such-tool'), readOnly);
        expect(answer.status).not.toBe(403);
        expect(answer.json.error.code).toBe(-32602);
        expect(answer.text).not.toContain('insufficient_scope');
    });
});

describe('Mcp-Name header', () => {
    it.each<Era>(['legacy', 'modern'])('disagreeing with the body → 400, the tool does not run (%s)', async (era) => {
        const answer = await post(rs, era, toolCall('write-file', { name: 'sneaky.txt', content: 'x' }), readWrite, { 'mcp-name': 'list-files' });
        expect(answer.status).toBe(400);
        expect(answer.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 }, id: 1 });
        expect(answer.text).not.toContain('sneaky');
        const read = await post(rs, era, toolCall('read-file', { name: 'sneaky.txt' }), readOnly);
        expect(read.json.result.isError).toBe(true);
    });

    it('cannot launder a call past the scope check: the body decides the scope', async () => {
        const answer = await post(rs, 'legacy', toolCall('purge-files'), readWrite, { 'mcp-name': 'purge-files' });
        expectInsufficientScope(answer, 'files:admin');
    });

    it('accepts the base64 form of a matching name (SEP-2243)', async () => {
        const encoded = `=?base64?${Buffer.from('list-files').toString('base64')}?=`;
        const answer = await post(rs, 'legacy', toolCall('list-files'), readOnly, { 'mcp-name': encoded });
        expect(answer.status).toBe(200);
    });
});

describe('JSON-RPC batches', () => {
    it('are refused with 400, so no call inside one escapes the scope check', async () => {
        const batch = [
            { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } },
            { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'purge-files', arguments: {} } }
        ];
        const answer = await send(rs.mcpUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${readWrite}` },
            body: JSON.stringify(batch)
        });
        expect(answer.status).toBe(400);
        expect(answer.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
        expect((await post(rs, 'legacy', toolCall('list-files'), readOnly)).json.result.structuredContent.files.length).toBeGreaterThan(0);
    });
});

describe('call log', () => {
    it('prints one line per tools/call with tool, client_id and HTTP status, never request text', async () => {
        await post(rs, 'legacy', toolCall('write-file', { name: 'log.txt', content: 'x' }), readOnly);
        await waitForOutput(rs.stdout, 'call tool=write-file client_id=reader status=403');
        await post(rs, 'modern', toolCall('list-files'), readWrite);
        await waitForOutput(rs.stdout, 'call tool=list-files client_id=writer status=200');
        await post(rs, 'legacy', toolCall('<script>evil</script>'), readOnly);
        await waitForOutput(rs.stdout, 'call tool=(unknown) client_id=reader status=200');

        for (const line of callLines(rs)) expect(line).toMatch(/^call tool=\S+ client_id=\S+ status=\d{3}$/);
        expect(rs.stdout.join('\n')).not.toContain('evil');
    });
});
