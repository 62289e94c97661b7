/**
 * The client's usage errors (demo-client/options.ts): each bad command line is one line on stderr naming the
 * program, and exit status 2 — no stack trace, nothing started. e2e/client-cli.test.ts runs two of them through
 * the real client process.
 */
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../demo-client/options.ts';
import { usageErrorOf } from './usage-error-of.ts';

describe('demo-client usage errors', () => {
    it.each([
        [['bogus', '--server', 'http://127.0.0.1:9/mcp'], 'unknown command "bogus"; expected story, tools, call, logout'],
        [['tools'], '--server <url> is required'],
        [['tools', '--server', 'ftp://127.0.0.1/mcp'], '--server must be an absolute http(s) URL'],
        [['call', '--server', 'http://127.0.0.1:9/mcp'], 'call needs a tool name: call <tool> [k=v …]'],
        [['call', 'write-file', 'name', '--server', 'http://127.0.0.1:9/mcp'], 'tool arguments are k=v pairs; got "name"'],
        [['call', 'write-file', 'a=1', 'a=2', '--server', 'http://127.0.0.1:9/mcp'], 'argument "a" given twice'],
        [['tools', '--server', 'http://127.0.0.1:9/mcp', '--headless', '--interactive'], '--headless and --interactive exclude each other'],
        [['tools', '--server', 'http://127.0.0.1:9/mcp', '--auth-timeout', '0'], '--auth-timeout must be an integer ≥ 1'],
        [['tools', '--server', 'http://127.0.0.1:9/mcp', '--protocol', '2025-06-18'], '--protocol must be one of legacy, auto, 2026-07-28'],
        [['story', '--server', 'http://127.0.0.1:9/mcp', '--refresh'], '--refresh goes with tools or call'],
        [['tools', '--server', 'http://127.0.0.1:9/mcp', '--callback-port', '0'], '--callback-port must be an integer from 1 to 65535'],
        [['tools', '--server', 'http://127.0.0.1:9/mcp', '--client-id', 'tab\there'], '--client-id must be 1 to 255 printable ASCII characters (RFC 6749 Appendix A.1)'],
        [['tools', '--server', 'http://127.0.0.1:9/mcp', '--client-issuer', 'http://127.0.0.1:9'], '--client-issuer goes with --client-id']
    ])('%j → one line, exit 2', (argv, line) => {
        expect(usageErrorOf(() => parseOptions(argv))).toEqual({ code: 2, stderr: `demo-client: ${line}\n` });
    });
});
