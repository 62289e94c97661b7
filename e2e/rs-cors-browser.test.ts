/**
 * Resource Server CORS in a real browser (Debian's Chromium via
 * playwright-core): a page on another loopback origin calls /mcp with
 * `fetch`, as a browser-based MCP client does. Its preflight must pass before
 * any token is involved, and its script must be able to read the 401's
 * `WWW-Authenticate` challenge (RFC 9728 §5.1), then call a tool with a token.
 * A page on a foreign origin gets nothing: the browser refuses the response.
 *
 * Without /usr/bin/chromium these tests are skipped with the reason — except
 * in CI (CI set), where a missing browser is a failure: .ci/run installs it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAs, type FakeAs } from './fixtures/fake-as.ts';
import { callLines, post, startRs, toolCall, waitForOutput, type RunningRs } from './rs-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A foreign site name the browser resolves to the page server, so the page's origin is not loopback. */
const FOREIGN_HOST = 'attacker.example';

const hasChromium = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);
if (!hasChromium && !inCi) console.warn(`rs-cors-browser: SKIPPED — ${CHROMIUM} is not installed (apt-get install chromium)`);

let as: FakeAs | undefined;
let rs: RunningRs | undefined;
let pages: Server | undefined;
let pagePort = 0;
let context: BrowserContext | undefined;
let workDir: string | undefined;
let token = '';

beforeAll(async () => {
    if (!hasChromium) return;
    as = await startFakeAs();
    rs = await startRs(as.origin);
    token = await as.mint({ audience: rs.mcpUrl, scope: 'files:read' });
    // An empty page is all the browser needs to have an origin to fetch from.
    pages = createServer((_req, res) => res.setHeader('content-type', 'text/html').end('<!doctype html><title>browser client</title>'));
    await new Promise<void>((resolve) => pages!.listen(0, '127.0.0.1', resolve));
    pagePort = (pages.address() as AddressInfo).port;
    workDir = mkdtempSync(join(tmpdir(), 'scoped-tools-cors-'));
    context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${FOREIGN_HOST} 127.0.0.1`]
    });
});

afterAll(async () => {
    await context?.close();
    pages?.close();
    await rs?.stop();
    await as?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function requireBrowser(): { context: BrowserContext; rs: RunningRs } {
    if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: .ci/run must install chromium, the real-browser tests may not be skipped in CI`);
    return { context: context!, rs: rs! };
}

interface PageFetch {
    status?: number;
    challenge?: string | null;
    body?: unknown;
    failed?: string;
}

/** Loads the empty page at `pageOrigin` and runs, inside it, a tools/call fetch to /mcp (with `bearer` if given). */
async function fetchFromPage(pageOrigin: string, bearer?: string): Promise<PageFetch> {
    const { context, rs } = requireBrowser();
    const page = await context.newPage();
    try {
        await page.goto(`${pageOrigin}/`);
        return await page.evaluate(
            async ({ url, bearer }) => {
                const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
                if (bearer) headers.authorization = `Bearer ${bearer}`;
                const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-files', arguments: {} } });
                try {
                    const response = await fetch(url, { method: 'POST', headers, body });
                    const text = await response.text();
                    // The SDK may answer as an event stream; its first data line is the JSON-RPC response.
                    const data = text.split('\n').find((line) => line.startsWith('data: '));
                    return { status: response.status, challenge: response.headers.get('www-authenticate'), body: JSON.parse(data ? data.slice(6) : text) };
                } catch (error) {
                    return { failed: String(error) };
                }
            },
            { url: rs.mcpUrl, bearer }
        );
    } finally {
        await page.close();
    }
}

describe('a browser-based client on another loopback origin', () => {
    it('reads the 401 challenge: resource_metadata and scope reach the script', async () => {
        const result = await fetchFromPage(`http://localhost:${pagePort}`);
        expect(result.failed).toBeUndefined();
        expect(result.status).toBe(401);
        expect(result.challenge).toBe(`Bearer resource_metadata="${rs!.metadataUrl}", scope="files:read", DPoP algs="ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512 EdDSA Ed25519"`);
    });

    it('calls a tool with its token (a preflighted request with Authorization)', async () => {
        const result = await fetchFromPage(`http://localhost:${pagePort}`, token);
        expect(result.failed).toBeUndefined();
        expect(result.status).toBe(200);
        expect(result.body).toMatchObject({ result: { structuredContent: { files: expect.any(Array) } } });
    });
});

describe('a page on a foreign origin', () => {
    it('gets nothing: the browser refuses the answer, and the RS ran no call', async () => {
        const foreignToken = await as!.mint({ audience: rs!.mcpUrl, scope: 'files:read', clientId: 'foreign-page' });
        const result = await fetchFromPage(`http://${FOREIGN_HOST}:${pagePort}`, foreignToken);
        expect(result.failed).toMatch(/TypeError/);
        // The RS logs a call once its answer is sent, so lines arrive after the answers they describe. A call
        // from here, sent after the page's attempt, is logged after any call the page's request had caused.
        const sentinel = await as!.mint({ audience: rs!.mcpUrl, scope: 'files:read', clientId: 'after-the-page' });
        expect((await post(rs!, 'legacy', toolCall('list-files'), sentinel)).status).toBe(200);
        await waitForOutput(rs!.stdout, 'client_id=after-the-page');
        expect(callLines(rs!).filter((line) => line.includes('client_id=foreign-page'))).toEqual([]);
    });
});
