/**
 * The client's pure rules: the `state` check, reading the consent form, how an
 * `iss` mismatch is described (without repeating the received value), how
 * server text is made printable, the step-up budget and its messages, tool
 * arguments, and the headless/store defaults.
 */
import { IssuerMismatchError } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { checkCallback } from '../../demo-client/callback-check.ts';
import { ConsentPageError, decodeEntities, parseConsentForm } from '../../demo-client/consent-form.ts';
import { issuerMismatchLine } from '../../demo-client/failures.ts';
import { describeIssDifference } from '../../demo-client/iss-difference.ts';
import { compareGrantedScope } from '../../demo-client/granted-scope.ts';
import { Narrator } from '../../demo-client/narrator.ts';
import { chooseHeadless, defaultStorePath } from '../../demo-client/options.ts';
import { plainText, quoteUntrusted, redactUrls, showIssuer, showList, showScope, showUrl, terminalBlock } from '../../demo-client/plain-text.ts';
import { refusalLine, stepUpOptionsFor } from '../../demo-client/step-up-policy.ts';
import { sampleArguments, typedArguments } from '../../demo-client/tool-arguments.ts';

describe('checkCallback (RFC 6749 §10.12)', () => {
    const params = (query: string) => new URLSearchParams(query);
    it('accepts the pending state', () => {
        expect(checkCallback(params('code=c&state=s1&iss=x'), 's1')).toEqual({ accepted: true });
    });
    it('refuses a missing state', () => {
        expect(checkCallback(params('code=c'), 's1')).toEqual({ accepted: false, reason: 'it carries no state' });
        expect(checkCallback(params('code=c&state='), 's1')).toMatchObject({ accepted: false, reason: 'it carries no state' });
    });
    it('refuses a wrong state, also one of a different length', () => {
        expect(checkCallback(params('state=s2'), 's1')).toMatchObject({ accepted: false, reason: 'its state does not match the pending authorization' });
        expect(checkCallback(params('state=s1-longer'), 's1')).toMatchObject({ accepted: false });
    });
    it('refuses everything when no authorization is pending (a state is usable once)', () => {
        expect(checkCallback(params('state=s1&code=c'), undefined)).toMatchObject({ accepted: false, reason: expect.stringContaining('usable once') });
    });
    it.each(['state', 'code', 'iss', 'error', 'error_description', 'error_uri'])('refuses a repeated %s', (name) => {
        expect(checkCallback(params(`state=s1&${name}=a&${name}=b`), 's1')).toMatchObject({ accepted: false, reason: `the parameter ${name} appears more than once` });
    });
});

describe('parseConsentForm', () => {
    const page = `<!doctype html><p>Client &lt;b&gt;</p>
<form method="post" action="/authorize/decision">
  <input type="hidden" name="client_id" value="abc">
  <input name='state' type='hidden' value='s&amp;t&#39;&#x22;'>
  <input type="text" name="visible" value="no">
  <button type="submit" name="decision" value="approve">Approve</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`;
    it('finds the action, every hidden input decoded, and the Approve button', () => {
        expect(parseConsentForm(page)).toEqual({
            action: '/authorize/decision',
            fields: [
                ['client_id', 'abc'],
                ['state', `s&t'"`]
            ],
            approve: ['decision', 'approve']
        });
    });
    it('refuses a page without exactly one POST form', () => {
        expect(() => parseConsentForm('<p>error</p>')).toThrow(ConsentPageError);
        expect(() => parseConsentForm(`${page}${page}`)).toThrow(/found 2/);
    });
    it('refuses a form without an Approve button', () => {
        expect(() => parseConsentForm(page.replace('value="approve"', 'value="ok"'))).toThrow(/Approve/);
    });
    it('decodes named, decimal and hex references and leaves unknown ones', () => {
        expect(decodeEntities('&amp;&lt;&gt;&quot;&#39;&#x41;&nope;')).toBe(`&<>"'A&nope;`);
    });
});

describe('iss mismatch (RFC 9207 §2.4; SEP-2468)', () => {
    const expected = 'http://127.0.0.1:4000';
    it('names how the received value differs, not the value', () => {
        expect(describeIssDifference(expected, undefined)).toMatch(/missing, though the authorization server advertises/);
        expect(describeIssDifference(expected, `${expected}/`)).toMatch(/trailing slash/);
        expect(describeIssDifference(`${expected}/`, expected)).toMatch(/trailing slash/);
        expect(describeIssDifference(expected, 'HTTP://127.0.0.1:4000')).toMatch(/letter case/);
        expect(describeIssDifference(expected, 'https://attacker.example')).toBe('iss names a different issuer');
    });
    it('prints the expected issuer and never the received one', () => {
        const attacker = 'https://evil.example/\u001b[31mYOUR SESSION EXPIRED';
        const line = issuerMismatchLine(new IssuerMismatchError('authorization_response', expected, attacker));
        expect(line).toContain(`"${expected}"`);
        expect(line).not.toContain('evil');
        expect(line).not.toContain('SESSION');
        expect(line).toMatch(/Nothing was redeemed/);
    });
    it('covers the metadata check too', () => {
        expect(issuerMismatchLine(new IssuerMismatchError('metadata', expected, 'https://other.example'))).toMatch(/RFC 8414 §3\.3/);
    });
});

describe('printing server text', () => {
    it('drops control and bidi characters, collapses whitespace, caps length', () => {
        expect(plainText('a\u001b[31m\nb\u202ec\t d')).toBe('a [31m b c d');
        expect(plainText('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
        expect(quoteUntrusted('say "hi"\r\n')).toBe('"say \\"hi\\""');
    });
    it('keeps lines in tool output but not escapes', () => {
        expect(terminalBlock('one\ntwo\u001b]0;title\u0007')).toBe('one\ntwo]0;title');
    });
    it('shows only well-formed scopes and printable issuers', () => {
        expect(showScope('files:read files:write')).toBe('"files:read files:write"');
        expect(showScope('files:read\u001b[2J')).toBe('(a malformed scope value)');
        expect(showScope(undefined)).toBe('(none)');
        expect(showIssuer('http://127.0.0.1:1')).toBe('"http://127.0.0.1:1"');
        expect(showIssuer('http://x/"; rm -rf')).toMatch(/not a printable URL/);
    });
    it('cut a long list from a server to its first five items and a count', () => {
        const scopes = Array.from({ length: 1000 }, (_, n) => `s${n}`).join(' ');
        expect(showScope(scopes)).toBe('"s0 s1 s2 s3 s4" … and 995 more');
        expect(showScope(`files:read ${'x'.repeat(500)}`)).toBe(`"files:read ${'x'.repeat(59)}…"`);
        expect(showList(['a', 'b', 'c', 'd', 'e', 'f', 'g'], (item) => item.toUpperCase())).toBe('A, B, C, D, E … and 2 more');
        expect(showList(['a', 'b'], (item) => item)).toBe('a, b');
    });
    it('show no user name, password, query value or fragment of a URL', () => {
        expect(showUrl('http://alice:s3cret@127.0.0.1:3001/mcp?token=abc&mode=x#frag')).toBe('http://127.0.0.1:3001/mcp?token=(hidden)&mode=(hidden)');
        expect(showUrl(new URL('https://rs.example/mcp'))).toBe('https://rs.example/mcp');
        expect(showIssuer('https://as.example/?key=abc')).toBe('https://as.example/?key=(hidden)');
        expect(redactUrls('Request cannot be constructed from a URL that includes credentials: http://u:p4ss@h/mcp?t=abc')).toBe(
            'Request cannot be constructed from a URL that includes credentials: http://h/mcp?t=(hidden)'
        );
    });
});

describe('narrating callbacks and iss', () => {
    const narrate = (...events: Parameters<Narrator['event']>[0][]) => {
        const lines: string[] = [];
        const narrator = new Narrator({ out: (line) => lines.push(line), warn: (line) => lines.push(`warn: ${line}`) }, false);
        events.forEach((event) => narrator.event(event));
        return lines;
    };
    it('says each way a callback was turned away once, and the repeats as one counted line', () => {
        const rejected = { kind: 'callback-rejected', reason: 'its state does not match the pending authorization' } as const;
        expect(
            narrate(
                { ...rejected, repeated: false },
                ...Array.from({ length: 499 }, () => ({ ...rejected, repeated: true })),
                { kind: 'callback-rejections-repeated', reason: rejected.reason, count: 499 }
            )
        ).toEqual(['warn: ignored a callback: its state does not match the pending authorization', 'warn: ignored 499 more callbacks for the same reason: its state does not match the pending authorization']);
    });
    it('never marks an iss the SDK could not compare as the expected issuer', () => {
        const [line] = narrate({ kind: 'issuer-unchecked', issPresent: true });
        expect(line).toBe('    iss not checked: no authorization server metadata was found, so there is no issuer to compare it with');
    });
});

describe('step-up budget per call (SEP-2350)', () => {
    it('gives each attempt what is left, and throw mode when nothing is', () => {
        expect(stepUpOptionsFor({ enabled: true, maxStepUps: 1 }, 0)).toEqual({ onInsufficientScope: 'reauthorize', maxStepUpRetries: 1 });
        expect(stepUpOptionsFor({ enabled: true, maxStepUps: 3 }, 1)).toEqual({ onInsufficientScope: 'reauthorize', maxStepUpRetries: 2 });
        expect(stepUpOptionsFor({ enabled: true, maxStepUps: 1 }, 1)).toEqual({ onInsufficientScope: 'throw', maxStepUpRetries: 0 });
        expect(stepUpOptionsFor({ enabled: true, maxStepUps: 0 }, 0)).toEqual({ onInsufficientScope: 'throw', maxStepUpRetries: 0 });
        expect(stepUpOptionsFor({ enabled: false, maxStepUps: 5 }, 0)).toEqual({ onInsufficientScope: 'throw', maxStepUpRetries: 0 });
    });
    const refusal = { tool: 'purge-files', requiredScope: 'files:admin', resourceMetadataUrl: new URL('http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp') };
    it('says step-up was off, not that it failed, when the cap is 0', () => {
        const line = refusalLine({ enabled: true, maxStepUps: 0 }, { ...refusal, tool: 'write-file', requiredScope: 'files:write', stepUps: 0 });
        expect(line).toMatch(/^step-up disabled by --max-step-up-retries 0: write-file needs "files:write"/);
        expect(line).not.toMatch(/after/);
    });
    it('names the challenge fields with --no-step-up', () => {
        const line = refusalLine({ enabled: false, maxStepUps: 1 }, { ...refusal, stepUps: 0 });
        expect(line).toContain('required scope "files:admin"');
        expect(line).toContain('resource metadata http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp');
        expect(line).toContain('--no-step-up');
    });
    it('explains the cap after step-ups and whether the scope was granted', () => {
        expect(refusalLine({ enabled: true, maxStepUps: 1 }, { ...refusal, stepUps: 1, grantedScope: 'files:read files:write' })).toMatch(
            /after 1 step-up; the authorization server did not grant it .*--max-step-up-retries 1/
        );
        expect(refusalLine({ enabled: true, maxStepUps: 2 }, { ...refusal, stepUps: 2, grantedScope: 'files:admin' })).toMatch(/after 2 step-ups; the resource still refuses the token/);
    });
});

describe('tool arguments', () => {
    const writeFile = {
        name: 'write-file',
        inputSchema: { type: 'object' as const, properties: { name: { type: 'string' }, content: { type: 'string' }, force: { type: 'boolean' }, n: { type: 'integer' } }, required: ['name', 'content'] }
    };
    it('fills required fields with fixed samples', () => {
        expect(sampleArguments(writeFile)).toEqual({ name: 'story.txt', content: 'written by the scoped-tools story' });
        expect(sampleArguments(undefined)).toEqual({});
    });
    it('converts k=v strings where the schema asks for booleans or numbers', () => {
        expect(typedArguments(writeFile, { name: '1', force: 'true', n: '3', content: 'false' })).toEqual({ name: '1', force: true, n: 3, content: 'false' });
        expect(typedArguments(writeFile, { n: 'x' })).toEqual({ n: 'x' });
    });
});

describe('defaults', () => {
    it('is headless with CI or without a display, unless told', () => {
        expect(chooseHeadless({}, { CI: 'true', DISPLAY: ':0' }, 'linux')).toBe(true);
        expect(chooseHeadless({}, {}, 'linux')).toBe(true);
        expect(chooseHeadless({}, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(false);
        expect(chooseHeadless({}, {}, 'darwin')).toBe(false);
        expect(chooseHeadless({ interactive: true }, { CI: '1' }, 'linux')).toBe(false);
        expect(chooseHeadless({ headless: true }, { DISPLAY: ':0' }, 'linux')).toBe(true);
    });
    it('keeps the store under XDG_STATE_HOME or ~/.local/state', () => {
        expect(defaultStorePath({ XDG_STATE_HOME: '/state' })).toBe('/state/scoped-tools-story/client.json');
        expect(defaultStorePath({})).toMatch(/\/\.local\/state\/scoped-tools-story\/client\.json$/);
    });
});

describe('narrating the granted scope', () => {
    /** The detail lines the narrator prints for one authorization: requested `requested`, token response `granted`. */
    function narrated(requested: string, granted: string, refreshToken: boolean): string[] {
        const lines: string[] = [];
        const narrator = new Narrator({ out: (line) => lines.push(line), warn: (line) => lines.push(`warn: ${line}`) }, false);
        narrator.event({ kind: 'authorization-started', scope: requested, stepUp: false });
        narrator.event({ kind: 'token', grantType: 'authorization_code', status: 200, scope: granted, refreshToken });
        return lines.slice(2).map((line) => line.trim());
    }

    it('offline_access answered with a refresh token is no refusal', () => {
        expect(narrated('files:read offline_access', 'files:read', true)).toEqual([
            'offline_access was answered with a refresh token (it is not a scope of the resource, so the access token does not list it)'
        ]);
    });
    it('offline_access without a refresh token is a refusal', () => {
        expect(narrated('files:read offline_access', 'files:read', false)).toEqual(['not granted: "offline_access"']);
    });
    it('a refused resource scope is named, and scopes the AS added are told apart from it', () => {
        expect(narrated('files:read files:admin', 'files:read openid', true)).toEqual(['added by the authorization server: "openid"', 'not granted: "files:admin"']);
        expect(compareGrantedScope('files:read', 'files:read offline_access', true)).toEqual({ refused: [], added: ['offline_access'], offlineAccessAsRefreshToken: false });
    });
});
