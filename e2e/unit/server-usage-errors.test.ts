/**
 * The servers' usage errors for flag values (demo-rs/options.ts, demo-as/options.ts): each is one line on
 * stderr naming the program, and exit status 2, before anything listens. e2e/rs-scope-options.test.ts,
 * e2e/rs-http.test.ts and e2e/as-resource-allow-list.test.ts run such command lines through the real processes.
 */
import { describe, expect, it } from 'vitest';
import { parseAsOptions } from '../../demo-as/options.ts';
import { parseRsOptions } from '../../demo-rs/options.ts';
import { usageErrorOf } from './usage-error-of.ts';

const ISSUER = 'http://127.0.0.1:9';

describe('demo-rs flag values', () => {
    const INITIAL_SCOPE_LINE = 'demo-rs: --initial-scope must be scopes this RS defines, each once, separated by single spaces: files:read files:write files:admin';
    const ALLOWED_ORIGIN_LINE = 'demo-rs: --allowed-origin must be an origin such as https://app.example (scheme, host, optional port; no path)';
    it.each([
        ['an empty --initial-scope', ['--initial-scope', ''], INITIAL_SCOPE_LINE],
        ['two spaces between scopes', ['--initial-scope', 'files:read  files:write'], INITIAL_SCOPE_LINE],
        ['a scope twice', ['--initial-scope', 'files:read files:read'], INITIAL_SCOPE_LINE],
        ['a comma-separated list', ['--initial-scope', 'files:read,files:write'], INITIAL_SCOPE_LINE],
        ['--challenge-scope union', ['--challenge-scope', 'union'], 'demo-rs: --challenge-scope must be required or held-and-required'],
        ['an --allowed-origin with a path', ['--allowed-origin', 'https://app.example/path'], ALLOWED_ORIGIN_LINE],
        ['an --allowed-origin of another scheme', ['--allowed-origin', 'ftp://app.example'], ALLOWED_ORIGIN_LINE]
    ])('%s → one line, exit 2', (_name, args, line) => {
        expect(usageErrorOf(() => parseRsOptions(['--port', '0', '--issuer', ISSUER, ...args], {}))).toEqual({ code: 2, stderr: `${line}\n` });
    });
});

describe('demo-as --resource values', () => {
    it.each([
        ['not canonical', 'HTTP://127.0.0.1:3001/mcp'],
        ['a fragment', 'http://127.0.0.1:3001/mcp#x'],
        ['another scheme', 'urn:example:mcp']
    ])('%s → one line, exit 2', (_name, value) => {
        expect(usageErrorOf(() => parseAsOptions(['--port', '0', '--resource', value]))).toEqual({
            code: 2,
            stderr: 'demo-as: --resource must be a canonical absolute http(s) URL without a fragment, e.g. http://127.0.0.1:3001/mcp\n'
        });
    });
});
