/**
 * Test helper: run a client that prints its consent URL (`Open this URL in
 * your browser: …`, as the examples do) to the end, playing the person's
 * browser for each URL it prints — open the consent page, press Approve,
 * follow the redirect to the client's callback — the way the user would.
 */
import { createInterface } from 'node:readline';
import { openConsent, submitDecision } from './as-flow.ts';
import { OPEN_PREFIX } from './client-harness.ts';
import { exited, spawnTs } from '../support/spawn.ts';

export { OPEN_PREFIX };

export interface Visit {
    consentStatus: number;
    callbackStatus?: number;
}

export interface DrivenRun {
    code: number | null;
    stdout: string[];
    stderr: string[];
    visits: Visit[];
}

/** Approves at `url` and delivers the authorization response to the callback it redirects to. */
async function approve(url: string): Promise<Visit> {
    const page = await openConsent(url);
    if (page.response.status !== 200) return { consentStatus: page.response.status };
    const decision = await submitDecision(new URL(url).origin, page, 'approve');
    const location = decision.headers.get('location');
    if (!location) return { consentStatus: page.response.status };
    const delivered = await fetch(location);
    await delivered.body?.cancel();
    return { consentStatus: page.response.status, callbackStatus: delivered.status };
}

/** Runs `entry args` with NO_COLOR, approving every consent URL it prints, until it exits. */
export async function driveConsentForPrintedUrls(entry: string, args: string[], timeoutMs = 60_000): Promise<DrivenRun> {
    const child = spawnTs(entry, args, { env: { NO_COLOR: '1' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const run: DrivenRun = { code: null, stdout: [], stderr: [], visits: [] };
    createInterface({ input: child.stderr! }).on('line', (line) => run.stderr.push(line));
    for await (const line of createInterface({ input: child.stdout! })) {
        run.stdout.push(line);
        if (line.startsWith(OPEN_PREFIX)) run.visits.push(await approve(line.slice(OPEN_PREFIX.length)));
    }
    run.code = await exited(child);
    clearTimeout(timer);
    return run;
}
