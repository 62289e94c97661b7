/**
 * clients/kit.ts's runPlan files the person's visit under the step that sent them: a library that opens the consent
 * page mid-session and fails at once (its callback listener is gone) answers before the person has reached the AS,
 * so the step's line must wait for that browser. The runner cuts the servers' logs at each step line; a line
 * printed too early puts the visit under the next step, and the matrix then shows a step-up the client never made
 * as "no re-authorization".
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { PROJECT_ROOT, spawnTs } from '../support/spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'clients-kit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A person who takes a moment on the way, then leaves a mark where the test can see it. */
function slowPerson(visits: string): string {
    const path = join(dir, 'browser.sh');
    writeFileSync(path, `#!/bin/sh\nsleep 1\necho "$1" >> '${visits}'\n`);
    chmodSync(path, 0o755);
    return path;
}

/** A host whose tool call opens the consent page and fails at once, as a library with no listener left does. */
function abandoningHost(): string {
    const kit = pathToFileURL(resolve(PROJECT_ROOT, 'clients/kit.ts')).href;
    const path = join(dir, 'adapter.mts');
    writeFileSync(
        path,
        `import { openInBrowser, runPlan } from '${kit}';
await runPlan({
    connect: async () => {},
    callTool: async () => { openInBrowser('http://127.0.0.1:9/authorize?scope=files%3Aread+files%3Awrite'); throw new Error('Unauthorized'); },
    close: async () => {}
});
`
    );
    return path;
}

test('a step whose browser is still on its way is reported once the visit is done', async () => {
    const visits = join(dir, 'visits.log');
    const adapter = spawnTs(abandoningHost(), [], {
        env: { MATRIX_SERVER_URL: 'http://127.0.0.1:9/mcp', MATRIX_PLAN: 'connect,call:write-file', MATRIX_BROWSER: slowPerson(visits) }
    });
    const visitsWhenReported: Record<string, string> = {};
    for await (const line of createInterface({ input: adapter.stdout! })) {
        const { step } = JSON.parse(line) as { step: string };
        visitsWhenReported[step] = existsSync(visits) ? readFileSync(visits, 'utf8') : '';
    }
    expect(visitsWhenReported['connect']).toBe('');
    expect(visitsWhenReported['call:write-file']).toContain('scope=files%3Aread+files%3Awrite');
});
