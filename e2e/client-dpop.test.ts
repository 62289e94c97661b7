/**
 * The client's DPoP (RFC 9449) across runs of the real processes: the key is
 * kept with the tokens in the 0600 store, so a later run presents the stored
 * bound token and refreshes the bound refresh token without a new consent;
 * `--no-dpop` gets Bearer tokens; against servers that require DPoP,
 * `--no-dpop` ends at the first refusal with the cause (DPoP, and the flag
 * to drop) in one line.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClient, startStack, tempDir, type Stack } from './stack.ts';

let stack: Stack;
let strict: Stack;
const dirs = tempDir('scoped-tools-dpop-');

beforeAll(async () => {
    stack = await startStack({ asArgs: ['--access-token-ttl', '2'] });
    strict = await startStack({ asArgs: ['--require-dpop'], rsArgs: ['--require-dpop'] });
});

afterAll(async () => {
    await Promise.all([stack?.stop(), strict?.stop()]);
    dirs.remove();
});

const storeEntry = (path: string, resource: string) => JSON.parse(readFileSync(path, 'utf8')).resources[resource];

describe('the DPoP key in the token store', () => {
    const storePath = join(dirs.path, 'client.json');
    const client = (...args: string[]) => runClient([...args, '--server', stack.mcpUrl, '--headless', '--store', storePath]);

    it('is saved with the bound tokens in the 0600 file', async () => {
        const run = await client('call', 'list-files');
        expect(run.code).toBe(0);
        expect(statSync(storePath).mode & 0o777).toBe(0o600);
        const entry = storeEntry(storePath, stack.mcpUrl);
        const tokens = Object.values(entry.tokens)[0] as { token_type: string; access_token: string };
        expect(tokens.token_type).toBe('DPoP');
        const { d: _private, ...publicMembers } = entry.dpopKey;
        const publicJwk = { kty: publicMembers.kty, crv: publicMembers.crv, x: publicMembers.x, y: publicMembers.y };
        expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: await calculateJwkThumbprint(publicJwk) });
    });

    it('lets the next run refresh the bound refresh token, with no new consent', async () => {
        await new Promise((resolve) => setTimeout(resolve, 2500)); // the access token (2 s) has expired
        const run = await client('call', 'list-files');
        expect(run.code).toBe(0);
        expect(run.stdout).not.toContain('Consent:');
        expect(run.stdout).toContain('Token refreshed');
        expect(stack.as.stdout.some((line) => /^token grant_type=refresh_token .*status=200/.test(line))).toBe(true);
    });
});

describe('--no-dpop', () => {
    it('gets Bearer tokens and stores no key', async () => {
        const storePath = join(dirs.path, 'bearer.json');
        const run = await runClient(['call', 'list-files', '--no-dpop', '--server', stack.mcpUrl, '--headless', '--store', storePath]);
        expect(run.code).toBe(0);
        const entry = storeEntry(storePath, stack.mcpUrl);
        expect((Object.values(entry.tokens)[0] as { token_type: string }).token_type).toBe('Bearer');
        expect(entry.dpopKey).toBeUndefined();
    });

    it('against servers that require DPoP ends at the first refusal, naming DPoP and the flag to drop, in one line and exit 1', async () => {
        const run = await runClient(['call', 'list-files', '--no-dpop', '--server', strict.mcpUrl, '--headless', '--store', join(dirs.path, 'strict.json')]);
        expect(run.code).toBe(1);
        // The cause, not the symptom: no retry of the code by the SDK (and no warning about one), no OAuth error code to decode.
        expect(run.stderr.trim().split('\n')).toEqual([
            'demo-client: the authorization server requires DPoP-bound tokens (RFC 9449) and refused the token request without a DPoP proof; run again without --no-dpop'
        ]);
        expect(run.stdout).toContain('Token request (authorization_code) → HTTP 400 invalid_dpop_proof');
    });

    it('with DPoP the same strict servers work', async () => {
        const run = await runClient(['call', 'list-files', '--server', strict.mcpUrl, '--headless', '--store', join(dirs.path, 'strict-dpop.json')]);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('token_type DPoP');
    });
});
