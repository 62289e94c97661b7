/**
 * A person at the browser the client opens, for the stories against real
 * authorization servers (oidc-provider, better-auth), whose sign-in and
 * consent pages only a person can answer.
 *
 * The client's `--interactive` mode opens URLs with the `open` package, which
 * runs xdg-open, which honours the BROWSER command. The command made here
 * writes each URL to a file; the person reads them and, in the test's driven
 * Chromium, signs in and consents on each page the server shows, until the
 * client's callback page.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/** What the person did in the browser, page by page (or what went wrong there). */
export type Seen = 'sign-in' | 'consent' | 'callback' | `failed: ${string}`;

/** How the person signs in on this server's sign-in page. */
export interface Credentials {
    /** The sign-in form's user-name input. */
    userField: string;
    user: string;
    password: string;
}

/**
 * A BROWSER command (in `env`) for the client, and the person working through each URL it is handed in
 * `context`, in a fresh page, until `finished` settles; `seen` then resolves with what the person saw.
 */
export function personAtTheBrowser(context: BrowserContext, dir: string, name: string, credentials: Credentials, finished: Promise<unknown>): { env: NodeJS.ProcessEnv; seen: Promise<Seen[]> } {
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
            if (urls.length > handled) await approve(context, urls[handled++]!, credentials, trail).catch((error: Error) => trail.push(`failed: ${error.message.split('\n')[0]}`));
            else await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return trail;
    })();
    return { env: { BROWSER: command, NO_COLOR: '1' }, seen };
}

/** Signs in where a page asks for a password and consents on any other page, as a person would, until the callback. */
async function approve(context: BrowserContext, url: string, credentials: Credentials, trail: Seen[]): Promise<void> {
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
                await page.locator(credentials.userField).fill(credentials.user);
                await page.locator('input[type=password]').fill(credentials.password);
            } else {
                trail.push('consent');
            }
            // The form's POST and the server's redirects after it are one navigation.
            await Promise.all([page.waitForNavigation({ timeout: 30_000 }), page.locator('button[type=submit]').first().click()]);
        }
    } finally {
        await page.close();
    }
}
