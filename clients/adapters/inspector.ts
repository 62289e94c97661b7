/**
 * The MCP Inspector's web UI, used as a developer uses it: `mcp-inspector --web --transport http --server-url
 * <url>` prints a URL, the developer opens it in a browser, flips "Connect", approves the consent page, picks a
 * tool, fills its form and presses "Execute Tool"; when the server refuses a call for want of scope, the
 * Inspector's "Additional permissions required" dialog offers to authorize, and the developer presses Authorize,
 * approves, and runs the tool again. Here the browser is Debian's Chromium driven through playwright-core, and
 * the person is Chromium itself (not MATRIX_BROWSER): the Inspector's OAuth runs in the page, so its consent page
 * and callback must be in the same browser.
 *
 * Followed: the Inspector's README.md (`--web`, the printed URL with its API token) and its
 * docs/environment-variables.md (CLIENT_PORT, MCP_SANDBOX_PORT, MCP_APP_ORIGIN_PORT, MCP_AUTO_OPEN_ENABLED,
 * MCP_STORAGE_DIR); its UI as it draws itself. The host's choices: state in a temporary HOME; the Inspector and
 * Chromium started before the plan, as a developer has them open before connecting; the call run again once
 * after a step-up or a sign-in, as the Inspector asks the person to; a second "Additional permissions required"
 * for the same call is where a person stops.
 *
 * The Inspector takes no fetch from a host; the exchanges its own network log records (its page posts them to
 * its backend's /api/log) go to MATRIX_FETCH_LOG instead. A rewritten or removed `iss` (SCRIPTED_BROWSER_ISS,
 * SCRIPTED_BROWSER_DROP_ISS=1, as e2e/scripted-browser.ts reads them) is applied by answering the consent
 * decision with its redirect to the callback changed: the person's browser delivering a tampered response.
 * What Chromium did at the AS is written to SCRIPTED_BROWSER_LOG as the scripted browser writes its visits.
 *
 * @client MCP Inspector
 * @packages @modelcontextprotocol/inspector@2.12.0 playwright-core@1.65.1
 * @node node@26
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Route } from 'playwright-core';
import { matrix, runPlan, type FetchRecord, type Host } from '../kit.ts';

/** `name` as the work folder installed it: its node_modules/.bin, found as Node finds packages (up from here). */
function installedBin(name: string): string {
    for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules', '.bin', name);
        if (existsSync(candidate)) return candidate;
        if (dirname(dir) === dir) throw new Error(`${name} is not installed in the adapter's work folder`);
    }
}
/** Debian's Chromium, with the flags that work on a machine with no GPU and no sandbox (as e2e/chromium.ts). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const READY = /MCP Inspector Web is up and running at:\s+(\S+)/;
const PORT_TAKEN = 'PORT IS IN USE';
/** How long one screen of the UI may take to answer: a round trip through the Inspector's backend and the AS. */
const SCREEN_TIMEOUT_MS = 20_000;
const STEP_UP_DIALOG = 'Additional permissions required';

/** A port nothing listens on right now: the Inspector refuses port 0 (its origin allow-list comes from the port). */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no free port'))));
        });
    });
}

interface RunningInspector {
    url: string;
    stop(): void;
}

/** Starts the web UI as `mcp-inspector --web` on a free port; resolves with the URL its banner prints. */
async function startInspector(home: string): Promise<RunningInspector | 'port taken'> {
    const child: ChildProcess = spawn(process.execPath, [installedBin('mcp-inspector'), '--web', '--transport', 'http', '--server-url', matrix.serverUrl], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            MCP_STORAGE_DIR: join(home, 'storage'),
            HOST: '127.0.0.1',
            CLIENT_PORT: String(await freePort()),
            MCP_SANDBOX_PORT: '0',
            MCP_APP_ORIGIN_PORT: '0',
            MCP_AUTO_OPEN_ENABLED: 'false'
        }
    });
    const stop = () => {
        if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
    };
    let output = '';
    return new Promise((resolve, reject) => {
        const settle = (outcome: RunningInspector | 'port taken' | Error) => {
            clearTimeout(timer);
            child.stdout!.removeAllListeners('data');
            if (outcome instanceof Error || outcome === 'port taken') stop();
            if (outcome instanceof Error) reject(outcome);
            else resolve(outcome);
        };
        const timer = setTimeout(() => settle(new Error(`the Inspector printed no ready banner: ${output.trim().split('\n').slice(-3).join(' | ')}`)), 60_000);
        const read = (chunk: Buffer) => {
            output += chunk.toString('utf8');
            const ready = READY.exec(output);
            if (ready) settle({ url: ready[1]!, stop });
            else if (output.includes(PORT_TAKEN)) settle('port taken');
        };
        child.stdout!.on('data', read);
        child.stderr!.on('data', (chunk: Buffer) => {
            output += chunk.toString('utf8');
            process.stderr.write(chunk);
        });
        child.once('exit', (code) => settle(new Error(`the Inspector exited with ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`)));
    });
}

/** What the person's browser does to the callback's `iss`, as e2e/scripted-browser.ts reads it from its environment. */
function issTampering(): { kind: 'none' } | { kind: 'remove' } | { kind: 'replace'; iss: string } {
    if (process.env.SCRIPTED_BROWSER_DROP_ISS === '1') return { kind: 'remove' };
    const rewrite = process.env.SCRIPTED_BROWSER_ISS;
    return rewrite ? { kind: 'replace', iss: rewrite } : { kind: 'none' };
}

/**
 * What Chromium, the person here, did at the AS: one line per consent page in SCRIPTED_BROWSER_LOG, shaped as
 * e2e/scripted-browser.ts's BrowserVisit (the authorization URL, the consent page's and the decision's status,
 * the callback URL with its code replaced, the `iss` delivered, the callback's status). Codes are never written.
 */
interface Visit {
    authorizeUrl: string;
    consentStatus: number;
    decisionStatus?: number;
    callbackUrl?: string;
    deliveredIss?: string | null;
    callbackStatus?: number;
    problem?: string;
}

class PersonAtChromium {
    private visit: Visit | undefined;
    private readonly log = process.env.SCRIPTED_BROWSER_LOG;

    constructor(context: BrowserContext, asksConsent: (url: URL) => boolean) {
        context.on('response', (response) => {
            const request = response.request();
            if (!request.isNavigationRequest()) return;
            const url = new URL(response.url());
            if (asksConsent(url)) {
                this.flush();
                this.visit = { authorizeUrl: url.href, consentStatus: response.status() };
            } else if (this.visit?.callbackUrl && `${url.origin}${url.pathname}` === this.visit.callbackUrl.split('?')[0]) {
                this.visit.callbackStatus = response.status();
                this.flush();
            }
        });
    }

    /** The consent decision: answered by the AS with `location`; `delivered` is where the browser went instead. */
    decided(status: number, delivered: URL | undefined): void {
        if (!this.visit) return;
        this.visit.decisionStatus = status;
        if (!delivered) return void (this.visit.problem = 'the decision was not answered with a redirect');
        const recorded = new URL(delivered);
        if (recorded.searchParams.has('code')) recorded.searchParams.set('code', '<code>');
        this.visit.callbackUrl = recorded.href;
        this.visit.deliveredIss = delivered.searchParams.get('iss');
    }

    flush(): void {
        if (this.visit && this.log) appendFileSync(this.log, `${JSON.stringify(this.visit)}\n`);
        this.visit = undefined;
    }
}

/**
 * Answers the consent decision with its redirect to the callback, `iss` changed as the person's settings ask, and
 * tells the person's log where the browser went.
 */
function decideAs(person: PersonAtChromium): (route: Route) => Promise<void> {
    return async (route) => {
        const tampering = issTampering();
        const response = await route.fetch({ maxRedirects: 0 });
        const location = response.headers()['location'];
        if (!location) {
            person.decided(response.status(), undefined);
            return route.fulfill({ response });
        }
        const callback = new URL(location);
        if (tampering.kind === 'remove') callback.searchParams.delete('iss');
        else if (tampering.kind === 'replace') callback.searchParams.set('iss', tampering.iss);
        person.decided(response.status(), callback);
        await route.fulfill({ response, headers: { ...response.headers(), location: callback.href } });
    };
}

/** One exchange as the Inspector's page logs it to its backend (POST /api/log): what its fetch sent and got. */
interface LoggedExchange {
    fetchRequest?: { url?: string; method?: string; headers?: Record<string, string>; body?: string };
    fetchResponse?: { status?: number; headers?: Record<string, string> };
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
    return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}

/** kit's FetchRecord of one logged exchange. The Inspector logs the Authorization header as `[REDACTED]`. */
function fetchRecordOf({ fetchRequest: sent, fetchResponse: answered }: LoggedExchange): FetchRecord | undefined {
    if (!sent?.url || typeof answered?.status !== 'number') return undefined;
    const url = new URL(sent.url);
    const form = typeof sent.body === 'string' && /^[\w.%+-]+=/.test(sent.body) ? new URLSearchParams(sent.body) : undefined;
    const authorization = header(sent.headers, 'authorization');
    const wwwAuthenticate = header(answered.headers, 'www-authenticate');
    return {
        method: sent.method ?? 'GET',
        url: `${url.origin}${url.pathname}`,
        status: answered.status,
        dpopProof: header(sent.headers, 'dpop') !== undefined,
        ...(authorization && { authorization: authorization.split(' ')[0] }),
        ...(wwwAuthenticate && { wwwAuthenticate }),
        ...(form?.get('grant_type') && { grantType: form.get('grant_type')! }),
        ...(form?.get('scope') && { scope: form.get('scope')! })
    };
}

/**
 * The Inspector takes no fetch from a host, but its page logs each exchange its fetch made (OAuth and MCP
 * transport alike) to its backend; those go to MATRIX_FETCH_LOG as the recording fetch's lines would.
 */
function recordInspectorFetches(page: Page): void {
    const log = process.env.MATRIX_FETCH_LOG;
    if (!log) return;
    page.on('request', (request) => {
        if (request.method() !== 'POST' || new URL(request.url()).pathname !== '/api/log') return;
        const { messages } = (request.postDataJSON() ?? {}) as { messages?: unknown[] };
        for (const message of messages ?? []) {
            const record = typeof message === 'object' && message ? fetchRecordOf(message as LoggedExchange) : undefined;
            if (record) appendFileSync(log, `${JSON.stringify(record)}\n`);
        }
    });
}

class InspectorHost implements Host {
    private readonly home = mkdtempSync(join(tmpdir(), 'matrix-inspector-'));
    private inspector: RunningInspector | undefined;
    private context: BrowserContext | undefined;
    private page!: Page;
    private startFailure: Error | undefined;
    private person: PersonAtChromium | undefined;

    private get inspectorOrigin(): string {
        return new URL(this.inspector!.url).origin;
    }

    /** The Inspector running and Chromium open, before the plan; what went wrong is `connect`'s error. */
    async start(): Promise<void> {
        try {
            for (let attempt = 0; attempt < 3 && !this.inspector; attempt++) {
                const started = await startInspector(this.home);
                if (started !== 'port taken') this.inspector = started;
            }
            if (!this.inspector) throw new Error('the Inspector found its port taken three times in a row');
            this.context = await chromium.launchPersistentContext(join(this.home, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 } });
            this.page = this.context.pages()[0] ?? (await this.context.newPage());
            this.page.setDefaultTimeout(SCREEN_TIMEOUT_MS);
            recordInspectorFetches(this.page);
            this.person = new PersonAtChromium(this.context, (url) => this.atConsentPage(url));
            // The consent form posts to the AS's /authorize/decision, which redirects to the Inspector's callback.
            await this.context.route((url) => url.pathname === '/authorize/decision', decideAs(this.person));
        } catch (error) {
            this.startFailure = error instanceof Error ? error : new Error(String(error));
        }
    }

    async connect(): Promise<void> {
        if (this.startFailure || !this.inspector) throw this.startFailure ?? new Error('the Inspector was not started');
        await this.page.goto(this.inspector.url);
        // Mantine draws the switch's track over the input, so a person clicks the track.
        await this.page.getByRole('switch', { name: /^Connect or disconnect/ }).check({ force: true });
        await this.approveConsent();
        await this.backConnected();
    }

    /** Back from the consent page: wait for "Connected" (or what went wrong instead), then open the Tools tab. */
    private async backConnected(): Promise<void> {
        let problem: string | undefined;
        await this.waitFor(async () => {
            problem = (await this.alerts()).find((alert) => /required|error|failed|mismatch|denied/i.test(alert));
            return problem !== undefined || this.page.getByText('Connected', { exact: true }).isVisible();
        }, 'the Inspector to say Connected');
        if (problem) throw new Error(problem);
        await this.page.getByRole('banner').getByText('Tools', { exact: true }).click();
        await this.page.getByRole('heading', { name: /^Tools \(\d+\)$/ }).waitFor();
    }

    private atConsentPage(url = new URL(this.page.url())): boolean {
        return url.origin !== this.inspectorOrigin && url.pathname === '/authorize';
    }

    /** The consent page, in this browser: Approve, then back to the Inspector. */
    private async approveConsent(): Promise<void> {
        await this.page.waitForURL((url) => this.atConsentPage(url));
        const approve = this.page.getByRole('button', { name: 'Approve' });
        await approve.waitFor().catch(() => {
            throw new Error(`the AS answered /authorize without a consent form: ${this.page.url().split('?')[0]}`);
        });
        await Promise.all([this.page.waitForURL((url) => url.origin === this.inspectorOrigin), approve.click()]);
    }

    /** Polls `check` until it holds; on time-out, says what the Inspector shows instead. */
    private async waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
        const deadline = Date.now() + SCREEN_TIMEOUT_MS;
        while (Date.now() < deadline) {
            if (await check().catch(() => false)) return;
            await this.page.waitForTimeout(200);
        }
        throw new Error(`waited for ${what}; the page shows: ${await this.shownProblem()}`);
    }

    /** The alerts the Inspector shows (errors land there), or the page's location when there are none. */
    private async shownProblem(): Promise<string> {
        const alerts = await this.alerts();
        return alerts.length > 0 ? alerts.join(' | ') : `${this.page.url().split('?')[0]}`;
    }

    async callTool(name: string, args: Record<string, unknown>): Promise<string> {
        await this.openTool(name, args);
        let outcome = await this.execute();
        if (outcome === 'sign-in') {
            // The Inspector sent the browser to sign in again (its credentials were refused); a person approves
            // and runs the tool again.
            await this.approveConsent();
            await this.backConnected();
            await this.openTool(name, args);
            outcome = await this.execute();
        }
        if (outcome === 'step-up') {
            await this.stepUp();
            // The Inspector keeps the form and asks the person to run the tool again.
            outcome = await this.execute();
            if (outcome === 'step-up') throw new Error(`after authorizing, the Inspector asked for additional permissions again: ${await this.dialogText()}`);
        }
        if (outcome === 'sign-in') throw new Error('the Inspector sent the browser to sign in again, a second time for one call');
        return outcome;
    }

    /** Picks the tool in the list and fills its form. */
    private async openTool(name: string, args: Record<string, unknown>): Promise<void> {
        // The previous call's results sit where the tool's form goes; a person closes them first.
        const close = this.page.getByRole('button', { name: 'Close results' });
        if (await close.isVisible()) await close.click();
        await this.page.getByRole('button', { name: new RegExp(` ${name}$`) }).click();
        for (const [field, value] of Object.entries(args)) await this.page.getByRole('textbox', { name: field, exact: true }).fill(String(value));
    }

    /**
     * Presses Execute Tool: the result's text, 'step-up' when the permissions dialog opened instead, 'sign-in'
     * when the Inspector sent the browser to the AS's consent page.
     */
    private async execute(): Promise<string | 'step-up' | 'sign-in'> {
        const dialog = this.page.getByRole('dialog', { name: STEP_UP_DIALOG });
        const results = this.page.getByRole('heading', { name: 'Results', level: 3 });
        const alertsBefore = await this.alerts();
        await this.page.getByRole('button', { name: 'Execute Tool' }).click();
        let outcome: string | 'step-up' | 'sign-in' | Error | undefined;
        await this.waitFor(async () => {
            const newAlerts = (await this.alerts()).filter((alert) => !alertsBefore.includes(alert));
            if (this.atConsentPage()) outcome = 'sign-in';
            else if (await dialog.isVisible()) outcome = 'step-up';
            else if (await results.isVisible()) outcome = await this.resultText();
            else if (newAlerts.length > 0) outcome = new Error(newAlerts.join(' | '));
            return outcome !== undefined;
        }, 'the tool result or the permissions dialog');
        if (outcome instanceof Error) throw outcome;
        return outcome!;
    }

    /** The text of the first block under Results: the tool's content as the Inspector shows it. */
    private async resultText(): Promise<string> {
        const panel = this.page.locator('div').filter({ has: this.page.getByRole('heading', { name: 'Results', level: 3 }) }).filter({ has: this.page.locator('pre') }).last();
        return (await panel.locator('pre').first().innerText()).trim();
    }

    private async alerts(): Promise<string[]> {
        return (await this.page.getByRole('alert').allInnerTexts().catch(() => [])).map((text) => text.replace(/\s+/g, ' ').trim()).filter(Boolean);
    }

    private async dialogText(): Promise<string> {
        return (await this.page.getByRole('dialog', { name: STEP_UP_DIALOG }).innerText()).replace(/\s+/g, ' ').trim();
    }

    /** The step-up dialog as a person answers it: Authorize, approve the consent page, back in the Inspector. */
    private async stepUp(): Promise<void> {
        const dialog = this.page.getByRole('dialog', { name: STEP_UP_DIALOG });
        console.error(`the Inspector: ${await this.dialogText()}`);
        await dialog.getByRole('button', { name: 'Authorize' }).click();
        await this.approveConsent();
        let refused: string | undefined;
        await this.waitFor(async () => {
            const alerts = await this.alerts();
            refused = alerts.find((alert) => alert.includes('Additional permissions not granted'));
            return refused !== undefined || alerts.some((alert) => alert.includes('Step-up authorization succeeded'));
        }, 'the Inspector to say how the step-up ended');
        if (refused) throw new Error(refused);
    }

    async close(): Promise<void> {
        this.person?.flush();
        await this.context?.close().catch(() => undefined);
        this.inspector?.stop();
        rmSync(this.home, { recursive: true, force: true });
    }
}

const host = new InspectorHost();
await host.start();
await runPlan(host);
