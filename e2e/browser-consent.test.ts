/**
 * The interactive path in a real browser: Debian's Chromium, driven through
 * playwright-core, plays the person at the consent page. The client runs
 * with `--interactive --no-open`, so it prints the consent URL instead of
 * launching a browser, and the test opens that URL in its own.
 *
 * - Approve: `call write-file` from an empty store shows two consent pages
 *   (files:read, then the step-up union files:read files:write); each names
 *   the client and the scopes; the second is saved as
 *   results/consent-page.png; the client finishes with exit 0.
 * - Deny: the client ends with one line naming access_denied, a non-zero
 *   exit and no stack trace. On a phone-sized screen the page does not
 *   scroll sideways.
 * In both, every request the browser makes goes to 127.0.0.1: the pages
 * load nothing from anywhere else.
 *
 * Without /usr/bin/chromium these tests are skipped with the reason — except
 * in CI (CI set), where a missing browser is a failure: .ci/run installs it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../support/spawn.ts';
import { OPEN_PREFIX, printedUrls, startClient, type LiveClient } from './client-harness.ts';
import { startStack, type Stack } from './stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CLIENT_NAME = 'scoped-tools demo client';
const SCREENSHOT = resolve(PROJECT_ROOT, 'results/consent-page.png');

const hasChromium = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);
const skipReason = `${CHROMIUM} is not installed (apt-get install chromium); the real-browser consent tests are skipped`;
if (!hasChromium && !inCi) console.warn(`browser-consent: SKIPPED — ${skipReason}`);

let stack: Stack | undefined;
let context: BrowserContext | undefined;
let workDir: string | undefined;
/** Every URL the browser requested in the current test. */
const requested: string[] = [];

beforeAll(async () => {
    if (!hasChromium) return;
    workDir = mkdtempSync(join(tmpdir(), 'scoped-tools-browser-'));
    stack = await startStack();
    context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 800, height: 600 }
    });
    context.on('request', (request) => requested.push(request.url()));
});

afterAll(async () => {
    await context?.close();
    await stack?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function requireBrowser(): { stack: Stack; context: BrowserContext; workDir: string } {
    if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: .ci/run must install chromium, the real-browser tests may not be skipped in CI`);
    requested.length = 0;
    return { stack: stack!, context: context!, workDir: workDir! };
}

/** The consent and callback pages load nothing from anywhere but 127.0.0.1 (no fonts, scripts, images elsewhere). */
function expectOnlyLoopbackRequests(): void {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).hostname !== '127.0.0.1')).toEqual([]);
}

function interactiveClient(env: { stack: Stack; workDir: string }, store: string, command: string[]): LiveClient {
    return startClient([...command, '--server', env.stack.mcpUrl, '--interactive', '--no-open', '--store', join(env.workDir, store)]);
}

/** The n-th (1-based) consent URL the client prints. */
async function consentUrl(client: LiveClient, n: number): Promise<string> {
    await vi.waitFor(
        () => {
            if (printedUrls(client).length < n) throw new Error(`waiting for "${OPEN_PREFIX}…" #${n}; stdout: ${client.stdout.join(' | ')}; stderr: ${client.stderr.join(' | ')}`);
        },
        { timeout: 15_000, interval: 50 }
    );
    return printedUrls(client)[n - 1]!.href;
}

/** The requested scopes as the consent page lists them, in order. */
async function listedScopes(page: Page): Promise<string[]> {
    const items = await page.getByRole('listitem').allInnerTexts();
    return items.map((text) => text.split('\n')[0]!.trim()).filter((first) => /^files:/.test(first));
}

async function expectConsentPage(page: Page, scopes: string[]): Promise<void> {
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toContain(CLIENT_NAME);
    expect(await listedScopes(page)).toEqual(scopes);
    expect(await page.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Deny' }).isVisible()).toBe(true);
}

/** Clicks a decision button and waits for the browser to land on the client's callback page. */
async function decide(page: Page, decision: 'Approve' | 'Deny'): Promise<void> {
    await Promise.all([page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/), page.getByRole('button', { name: decision }).click()]);
}

describe(hasChromium || inCi ? 'consent in a real browser (Chromium)' : `consent in a real browser — skipped: ${skipReason}`, () => {
    it.skipIf(!hasChromium && !inCi)('Approve: the pages name the client and each requested scope, and the client finishes the call', async () => {
        const env = requireBrowser();
        const client = interactiveClient(env, 'approve.json', ['call', 'write-file', 'name=browser.txt', 'content=approved in Chromium']);
        try {
            const page = await env.context.newPage();
            await page.goto(await consentUrl(client, 1));
            await expectConsentPage(page, ['files:read']);
            await decide(page, 'Approve');

            await page.goto(await consentUrl(client, 2));
            await expectConsentPage(page, ['files:read', 'files:write']);
            expect(await page.getByText('Create new files and change existing ones.').isVisible()).toBe(true);
            mkdirSync(resolve(PROJECT_ROOT, 'results'), { recursive: true });
            await page.screenshot({ path: SCREENSHOT, fullPage: true });
            await decide(page, 'Approve');
            expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Authorization response received');

            expect(await client.exit).toBe(0);
            expect(client.stdout).toContain('· Token now holds "files:read files:write"');
            expect(client.stdout).toContain('· write-file ✓');
            expect(client.stderr.filter(Boolean)).toEqual([]);
            expect(existsSync(SCREENSHOT)).toBe(true);
            expectOnlyLoopbackRequests();
            await page.close();
        } finally {
            client.child.kill();
        }
    });

    it.skipIf(!hasChromium && !inCi)('Deny: the client reports access_denied in one line, exits non-zero, and the page fits a phone screen', async () => {
        const env = requireBrowser();
        const client = interactiveClient(env, 'deny.json', ['call', 'list-files']);
        try {
            const page = await env.context.newPage();
            await page.setViewportSize({ width: 360, height: 740 });
            await page.goto(await consentUrl(client, 1));
            await expectConsentPage(page, ['files:read']);
            expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
            await decide(page, 'Deny');

            expect(await client.exit).not.toBe(0);
            const errors = client.stderr.filter(Boolean);
            expect(errors).toHaveLength(1);
            // docs/tutorial.md (step 3) quotes this line.
            expect(errors[0]).toBe('demo-client: the authorization server refused the authorization: access_denied — "the user denied the request"');
            expect(client.stdout.join('\n')).not.toContain('list-files ✓');
            expect(client.stdout.join('\n')).toMatch(/iss "http:\/\/127\.0\.0\.1:\d+" is the expected issuer ✓/);
            expect([...client.stdout, ...client.stderr].some((line) => /^\s+at /.test(line))).toBe(false);
            expectOnlyLoopbackRequests();
            await page.close();
        } finally {
            client.child.kill();
        }
    });
});
