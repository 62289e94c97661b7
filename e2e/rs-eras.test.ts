/**
 * Resource Server, protocol eras: the same endpoint serves the 2025-11-25
 * `initialize` lifecycle and 2026-07-28 per-request envelopes — checked with a
 * raw HTTP request for each, with the v2 SDK client in both modes (static
 * bearer token), and with the v1 SDK client that most of the field runs.
 */
import { Client, InsufficientScopeError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { initialize, LEGACY, MODERN, post, startRs, toolCall, type RunningRs } from './rs-fixture.ts';

let as: FakeAs;
let rs: RunningRs;
let token: string;

beforeAll(async () => {
    as = await startFakeAs();
    rs = await startRs(as.origin);
    token = await as.mint({ audience: rs.mcpUrl, scope: 'files:read' });
});

afterAll(async () => {
    await rs?.stop();
    await as?.stop();
});

describe('raw HTTP', () => {
    it('2025-11-25: initialize negotiates 2025-11-25, then tools/call works', async () => {
        const init = await post(rs, 'legacy', initialize, token);
        expect(init.status).toBe(200);
        expect(init.json.result.protocolVersion).toBe(LEGACY);
        expect(init.json.result.serverInfo.name).toBe('scoped-tools-demo-rs');

        const call = await post(rs, 'legacy', toolCall('list-files'), token);
        expect(call.status).toBe(200);
        expect(call.json.result.structuredContent.files.length).toBeGreaterThan(0);
    });

    it('2026-07-28: server/discover offers 2026-07-28, and an enveloped tools/call works', async () => {
        const discover = await post(rs, 'modern', { method: 'server/discover', params: {} }, token);
        expect(discover.status).toBe(200);
        expect(discover.json.result.supportedVersions).toContain(MODERN);

        const call = await post(rs, 'modern', toolCall('list-files'), token);
        expect(call.status).toBe(200);
        expect(call.json.result.resultType).toBe('complete');
        expect(call.json.result.structuredContent.files.length).toBeGreaterThan(0);
    });
});

function v2Transport(bearer: string) {
    return new StreamableHTTPClientTransport(new URL(rs.mcpUrl), { authProvider: { token: async () => bearer } });
}

describe('v2 SDK client (@modelcontextprotocol/client) with a static bearer token', () => {
    it('default (2025 initialize): connects, lists the tools, calls list-files', async () => {
        const client = new Client({ name: 'rs-e2e', version: '1.0.0' });
        await client.connect(v2Transport(token));
        try {
            expect(client.getServerVersion()?.name).toBe('scoped-tools-demo-rs');
            const { tools } = await client.listTools();
            expect(tools.map((tool) => tool.name).sort()).toEqual(['list-files', 'purge-files', 'read-file', 'write-file']);
            const result = await client.callTool({ name: 'list-files', arguments: {} });
            expect(result.isError).toBeFalsy();
            expect(result.structuredContent).toMatchObject({ files: expect.arrayContaining([expect.objectContaining({ name: 'README.md' })]) });
        } finally {
            await client.close();
        }
    });

    it(`pinned to ${MODERN}: connects, lists the tools, calls list-files`, async () => {
        const client = new Client({ name: 'rs-e2e', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
        await client.connect(v2Transport(token));
        try {
            const { tools } = await client.listTools();
            expect(tools).toHaveLength(4);
            const result = await client.callTool({ name: 'list-files', arguments: {} });
            expect(result.isError).toBeFalsy();
        } finally {
            await client.close();
        }
    });

    it.each([
        ['2025 initialize', {}],
        [`pinned to ${MODERN}`, { versionNegotiation: { mode: { pin: MODERN } } }]
    ] as const)('reads the 403 challenge (%s): InsufficientScopeError names files:write and our metadata URL', async (_era, options) => {
        const client = new Client({ name: 'rs-e2e', version: '1.0.0' }, options);
        await client.connect(v2Transport(token));
        try {
            const error = await client.callTool({ name: 'write-file', arguments: { name: 'x.txt', content: 'x' } }).catch((caught: unknown) => caught);
            expect(error).toBeInstanceOf(InsufficientScopeError);
            expect(error).toMatchObject({ requiredScope: 'files:write', resourceMetadataUrl: new URL(rs.metadataUrl) });
        } finally {
            await client.close();
        }
    });
});

describe('v1 SDK client (@modelcontextprotocol/sdk 1.x)', () => {
    it('connects with the initialize lifecycle and calls list-files', async () => {
        const client = new V1Client({ name: 'rs-e2e-v1', version: '1.0.0' });
        await client.connect(new V1Transport(new URL(rs.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
        try {
            const result = await client.callTool({ name: 'list-files', arguments: {} });
            expect(result.isError).toBeFalsy();
            expect(result.structuredContent).toMatchObject({ files: expect.any(Array) });
        } finally {
            await client.close();
        }
    });
});
