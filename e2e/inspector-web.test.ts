/**
 * The MCP Inspector's web UI (pinned; it wants Node 22.19+, so it runs on the
 * registry's Node 26 package) against the real demo-as and demo-rs, driven
 * in Debian's Chromium through playwright-core as a developer would use it:
 *
 * - Connect: the Inspector discovers demo-as from demo-rs's 401, registers
 *   itself (DCR) and sends the browser to the consent page, which asks for
 *   files:read; Approve brings it back connected, tools listed.
 * - list-files runs. write-file is refused with 403 insufficient_scope; the
 *   Inspector's "Additional permissions required" dialog offers the union
 *   (files:read already granted, files:write new); Authorize → consent page
 *   for `files:read files:write` → Approve → back in the Inspector, which
 *   asks to retry → write-file succeeds.
 * The step-up dialog is saved as results/inspector-step-up.png.
 *
 * A missing piece (Chromium, the Inspector or Node 26 from the registry)
 * skips these tests outside CI with the reason, and fails them in CI.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/spawn.ts';
import { findChromium, launchChromium } from './chromium.ts';
import { fetchCommand, need, requirement, runsHere } from './fetched-package.ts';
import { startInspector, type RunningInspector } from './inspector-web.ts';
import { startStack, tempDir, type Stack } from './stack.ts';

const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';
const INSPECTOR_NODE = 'node@26';
const SCREENSHOT = resolve(PROJECT_ROOT, 'results/inspector-step-up.png');
const STEP_TIMEOUT_MS = 20_000;
/** Each test is several round trips through a Node 26 backend and a browser; on 2 shared cores that takes a while. */
const TEST_TIMEOUT_MS = 90_000;

const chromium = await requirement(findChromium);
const inspector = await requirement(() => fetchCommand(INSPECTOR, 'mcp-inspector', INSPECTOR_NODE));
const group = runsHere(`${INSPECTOR} web UI in Chromium against demo-as + demo-rs`, [chromium, inspector]);

let stack: Stack;
let work: ReturnType<typeof tempDir>;
let running: RunningInspector | undefined;
let context: BrowserContext | undefined;
let page: Page;
/** Every /authorize URL the browser was sent to, in order. */
const authorizeUrls: URL[] = [];

/** Waits for what the UI shows after a round trip through the Inspector's backend. */
function eventually<T>(read: () => Promise<T> | T) {
    return expect.poll(read, { timeout: STEP_TIMEOUT_MS, interval: 100 });
}

function scopesAsked(n: number): string | null | undefined {
    return authorizeUrls[n]?.searchParams.get('scope');
}

/** The consent page of demo-as: check what it asks for, then Approve and wait to be back in the Inspector. */
async function approveConsent(inspectorOrigin: string, scopes: string[]): Promise<void> {
    await page.waitForURL((url) => url.pathname === '/authorize', { timeout: STEP_TIMEOUT_MS });
    await eventually(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Allow MCP Inspector to use your files?');
    const listed = (await page.getByRole('listitem').allInnerTexts()).map((text) => text.split(/\s/)[0]);
    expect(listed).toEqual(scopes);
    await Promise.all([page.waitForURL((url) => url.origin === inspectorOrigin && url.pathname === '/', { timeout: STEP_TIMEOUT_MS }), page.getByRole('button', { name: 'Approve' }).click()]);
}

async function executeTool(label: string, fields: Record<string, string>): Promise<void> {
    await page.getByRole('button', { name: label }).click();
    for (const [name, value] of Object.entries(fields)) await page.getByRole('textbox', { name, exact: true }).fill(value);
    await page.getByRole('button', { name: 'Execute Tool' }).click();
}

/** Whether the Results panel is up and shows `text`. */
async function resultShows(text: string | RegExp): Promise<boolean> {
    return (await page.getByRole('heading', { name: 'Results', level: 3 }).isVisible()) && (await page.getByRole('main').getByText(text).count()) > 0;
}

describe.skipIf(!group.runs)(group.title, () => {
    beforeAll(async () => {
        const command = need(inspector, INSPECTOR);
        need(chromium, 'Chromium');
        work = tempDir('scoped-tools-inspector-');
        stack = await startStack();
        running = await startInspector(command, stack.mcpUrl, join(work.path, 'inspector'));
        context = await launchChromium(join(work.path, 'profile'));
        page = await context.newPage();
        page.setDefaultTimeout(STEP_TIMEOUT_MS);
        page.on('framenavigated', (frame) => {
            const url = new URL(frame.url());
            if (frame === page.mainFrame() && url.origin === stack.as.origin && url.pathname === '/authorize') authorizeUrls.push(url);
        });
    }, 120_000);

    afterAll(async () => {
        await context?.close();
        await running?.stop();
        await stack?.stop();
        work?.remove();
    });

    it('connects through its OAuth flow: registration, consent for files:read, tools listed', async () => {
        const origin = new URL(running!.url).origin;
        await page.goto(running!.url);
        // Mantine draws the switch's track over the input, so a person clicks the track.
        await page.getByRole('switch', { name: /^Connect or disconnect/ }).check({ force: true });
        await approveConsent(origin, ['files:read']);
        await eventually(() => page.getByText('Connected', { exact: true }).isVisible()).toBe(true);

        const clientId = authorizeUrls[0]?.searchParams.get('client_id');
        expect(stack.as.stdout.filter((line) => line.startsWith('register '))).toEqual([`register client_id=${clientId} status=201`]);
        expect(scopesAsked(0)).toBe('files:read');
        expect(authorizeUrls[0]?.searchParams.get('redirect_uri')).toBe(`${origin}/oauth/callback`);
        expect(stack.as.stdout).toContain(`token grant_type=authorization_code client_id=${clientId} status=200 scope="files:read"`);

        await page.getByRole('banner').getByText('Tools', { exact: true }).click();
        await eventually(() => page.getByRole('heading', { name: /^Tools \(\d+\)$/ }).innerText()).toBe('Tools (4)');
        await executeTool('List files list-files', {});
        await eventually(() => resultShows(/README\.md \(\d+ bytes\)/)).toBe(true);
        expect(stack.rs.stdout).toContain(`call tool=list-files client_id=${clientId} status=200`);
    }, TEST_TIMEOUT_MS);

    it('write-file: the "Additional permissions required" dialog asks for the union, consent, retry, written', async () => {
        const origin = new URL(running!.url).origin;
        const clientId = authorizeUrls[0]?.searchParams.get('client_id');
        await executeTool('Write a file write-file', { name: 'inspector.txt', content: 'written by the MCP Inspector' });

        const dialog = page.getByRole('dialog', { name: 'Additional permissions required' });
        await dialog.waitFor();
        const text = await dialog.innerText();
        expect(text).toContain('This operation needs additional scope: files:write.');
        expect(text).toMatch(/files:read\s+already granted\s+files:write\s+new/i);
        mkdirSync(resolve(PROJECT_ROOT, 'results'), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
        await dialog.getByRole('button', { name: 'Authorize' }).click();

        await approveConsent(origin, ['files:read', 'files:write']);
        expect(scopesAsked(1)).toBe('files:read files:write');
        await eventually(() => page.getByRole('alert').filter({ hasText: 'Step-up authorization succeeded' }).count()).toBe(1);
        expect(stack.as.stdout).toContain(`token grant_type=authorization_code client_id=${clientId} status=200 scope="files:read files:write"`);

        // The Inspector keeps the form and asks the person to retry the call.
        await page.getByRole('button', { name: 'Execute Tool' }).click();
        await eventually(() => resultShows('Created inspector.txt (28 bytes).')).toBe(true);
        const calls = stack.rs.stdout.filter((line) => line.startsWith(`call tool=write-file client_id=${clientId} `));
        expect(calls).toEqual([`call tool=write-file client_id=${clientId} status=403`, `call tool=write-file client_id=${clientId} status=200`]);
    }, TEST_TIMEOUT_MS);
});
