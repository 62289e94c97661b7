/**
 * Debian's Chromium driven through playwright-core, for tests where a real
 * browser plays the person. Never a downloaded browser build: .ci/run
 * installs the `chromium` package, and these are the flags that work on
 * this kind of machine (no GPU, no sandbox, nothing fetched in the background).
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Resolves when Chromium is installed; rejects with what to install otherwise. */
export async function findChromium(): Promise<string> {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install chromium)`);
    return CHROMIUM;
}

/** A fresh headless Chromium with its own profile in `profileDir`. */
export function launchChromium(profileDir: string, viewport = { width: 1400, height: 900 }): Promise<BrowserContext> {
    return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
}

/** What a browser story starts with: Chromium open and what `locate` provided, or the reason one is missing. */
export type BrowserStory<T> = { found: T; context: BrowserContext; missing?: undefined } | { found?: undefined; context?: undefined; missing: string };

/**
 * Finds Chromium and what `locate` fetches or starts, then opens the browser with its profile in
 * `profileDir`. Outside CI a missing piece is the reason the `story` is skipped (said once); in CI,
 * which provides every piece, it is a failure.
 */
export async function prepareBrowserStory<T>(story: string, profileDir: string, locate: () => Promise<T>): Promise<BrowserStory<T>> {
    let found: T;
    try {
        await findChromium();
        found = await locate();
    } catch (error) {
        const missing = (error as Error).message;
        if (process.env.CI) throw new Error(`CI is set but ${missing}: .ci/run must provide it; the ${story} tests may not be skipped in CI`);
        console.warn(`${story}: SKIPPED — ${missing}`);
        return { missing };
    }
    return { found, context: await launchChromium(profileDir) };
}
