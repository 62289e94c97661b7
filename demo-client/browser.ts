/**
 * Interactive consent: print the authorization URL (always — a person or a
 * test can take it from there) and try to open it with `open`. When no browser
 * can be launched the client says so and keeps waiting for the callback.
 */

export const OPEN_URL_PREFIX = 'Open this URL in your browser: ';

/** Prints the URL, then (unless disabled) launches the default browser; failures are reported, not thrown. */
export async function showInBrowser(url: URL, options: { launch: boolean; print(line: string): void; warn(line: string): void }): Promise<void> {
    options.print(`${OPEN_URL_PREFIX}${url.href}`);
    if (!options.launch) return;
    const couldNotOpen = (why: string) => options.warn(`could not open a browser (${why}); open the URL above yourself — still waiting for the callback`);
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
