/**
 * Interactive consent: print the authorization URL (always — a person or a
 * test can take it from there) and try to open it with `open`. On a machine
 * with no display, or when no browser can be launched, the client says how
 * long it waits and how to answer from another machine's browser
 * (remote-browser.ts), and keeps waiting for the callback.
 */
import { remoteBrowserLines } from './remote-browser.ts';

export const OPEN_URL_PREFIX = 'Open this URL in your browser: ';

export interface BrowserOptions {
    /** Launch a browser (false with --no-open). */
    launch: boolean;
    /** Whether this machine has a display to show a browser on (display.ts). */
    display: boolean;
    /** Where the callback listener waits, and for how long. */
    callbackUrl: URL;
    waitSeconds: number;
    print(line: string): void;
    warn(line: string): void;
}

/**
 * Prints the URL, then launches the default browser; failures are reported, not thrown. Without a
 * display the launch is still tried (a BROWSER command may not need one), but the client says at
 * once how to answer from elsewhere, since nothing may open here.
 */
export async function showInBrowser(url: URL, options: BrowserOptions): Promise<void> {
    options.print(`${OPEN_URL_PREFIX}${url.href}`);
    if (!options.launch) return;
    const remote = () => remoteBrowserLines(url, options.callbackUrl, options.waitSeconds).forEach((line) => options.print(line));
    if (!options.display) {
        // On stdout with the URL: part of the instructions, not a failure (a BROWSER command may still open it).
        options.print('No display here (DISPLAY and WAYLAND_DISPLAY are unset), so a browser may not open on this machine.');
        remote();
    }
    const couldNotOpen = (why: string) => {
        options.warn(`could not open a browser (${why}); open the URL above yourself — still waiting for the callback`);
        if (options.display) remote();
    };
    try {
        // Loaded only here: headless runs never launch a browser, and `open` brings ~25 modules with it.
        const { default: open } = await import('open');
        const launcher = await open(url.href);
        launcher.once('exit', (code) => {
            if (code !== 0 && code !== null) couldNotOpen(`the launcher exited with status ${code}`);
        });
    } catch (error) {
        couldNotOpen((error as NodeJS.ErrnoException).code ?? 'launch failed');
    }
}
