/**
 * A person at a real browser, for tests where the client runs `--interactive`
 * against an authorization server whose sign-in and consent pages only a
 * person can answer (oidc-provider's development pages). The client's `open`
 * runs xdg-open, which honours the BROWSER command; the command this module
 * writes hands each URL to the test's Chromium (e2e/chromium.ts), where the
 * person signs in with any name and password and presses the submit button
 * on each page, until the client's callback page.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/** What the person did in the browser, page by page (or what went wrong there). */
export type Seen = 'sign-in' | 'consent' | 'callback' | `failed: ${string}`;

/**
 * A BROWSER command (in `dir`) for xdg-open that hands each URL it is asked to open to `context`, and a
 * person who signs in and consents on each page the provider shows there. Resolves with what the person
 * saw once `finished` settles.
 */
export function personAtTheBrowser(context: BrowserContext, dir: string, name: string, finished: Promise<unknown>): { env: NodeJS.ProcessEnv; seen: Promise<Seen[]> } {
    const opened = join(dir, `${name}.urls`);
    const command = join(dir, `${name}-browser.sh`);
    writeFileSync(opened, '');
    // It also keeps the environment it was started with, so a test can see what the client passed on to its browser.
    writeFileSync(command, `#!/bin/sh\nenv > '${join(dir, `${name}.env`)}'\nprintf '%s\\n' "$1" >> '${opened}'\n`);
    chmodSync(command, 0o755);
    let done = false;
    void finished.finally(() => (done = true));
    const seen = (async () => {
        const trail: Seen[] = [];
        let handled = 0;
        while (!done) {
            const urls = readFileSync(opened, 'utf8').split('\n').filter(Boolean);
            if (urls.length > handled) await approve(context, urls[handled++]!, trail).catch((error: Error) => trail.push(`failed: ${error.message.split('\n')[0]}`));
            else await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return trail;
    })();
    return { env: { BROWSER: command, NO_COLOR: '1' }, seen };
}

/** Signs in (any name and password: the provider's development page) and consents, as a person would. */
async function approve(context: BrowserContext, url: string, trail: Seen[]): Promise<void> {
    const page: Page = await context.newPage();
    try {
        await page.goto(url);
        for (let step = 0; step < 4; step++) {
            if (new URL(page.url()).pathname === '/callback') {
                trail.push('callback');
                return;
            }
            if (await page.locator('input[type=password]').count()) {
                trail.push('sign-in');
                await page.locator('input[name=login]').fill('demo-user');
                await page.locator('input[type=password]').fill('any password');
            } else {
                trail.push('consent');
            }
            // The form's POST and the provider's redirects after it are one navigation.
            await Promise.all([page.waitForNavigation({ timeout: 30_000 }), page.locator('button[type=submit]').first().click()]);
        }
    } finally {
        await page.close();
    }
}
