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
