/**
 * Unit tests for demo-as's pure rules: which redirect URIs are accepted (the
 * e2e bad-input table covers the refusals against the real process), PKCE
 * against the RFC 7636 Appendix B example, scope parsing and policy, and
 * which client names are readable.
 */
import { describe, expect, it } from 'vitest';
import { isS256Challenge, isWellFormedVerifier, verifierMatchesChallenge } from '../../demo-as/rules/pkce.ts';
import { redirectUriProblem } from '../../demo-as/rules/redirect-uri.ts';
import { checkClientMetadata } from '../../demo-as/rules/client-metadata.ts';
import { isAcceptableResource } from '../../demo-as/rules/resource.ts';
import { grantableScopes, isWithin, parseScope } from '../../demo-as/rules/scope.ts';

describe('redirect URI rules', () => {
    it.each([
        'http://127.0.0.1:43210/callback',
        'http://127.0.0.1/',
        'http://[::1]:43210/callback',
        'http://localhost:43210/callback',
        'https://127.0.0.1:8443/callback',
        'http://127.0.0.1:43210/callback?session=abc'
    ])('accepts %s', (uri) => {
        expect(redirectUriProblem(uri)).toBeUndefined();
    });

    it.each([
        ['http://127.0.0.1.example.com/cb', 'redirect URIs must use the host 127.0.0.1, [::1] or localhost'],
        ['http://127.1/cb', 'redirect URIs must be written in canonical form'],
        ['http://user@127.0.0.1/cb', 'redirect URIs must not contain userinfo'],
        ['javascript:alert(1)', 'redirect URIs must use http or https'],
        ['http://127.0.0.1/cb#x', 'redirect URIs must not contain a fragment'],
        ['http://127.0.0.1/cb?state=x', 'redirect URIs must not carry authorization response parameters'],
        ['http://127.0.0.1/c\tb', 'redirect URIs must not contain spaces or control characters'],
        [42, 'redirect URIs must be strings']
    ])('refuses %s with the reason of the rule that fired', (uri, reason) => {
        expect(redirectUriProblem(uri)).toBe(reason);
    });
});

describe('PKCE S256', () => {
    // RFC 7636 Appendix B.
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

    it('matches the RFC 7636 example verifier to its challenge', () => {
        expect(isS256Challenge(challenge)).toBe(true);
        expect(isWellFormedVerifier(verifier)).toBe(true);
        expect(verifierMatchesChallenge(verifier, challenge)).toBe(true);
    });

    it('refuses another verifier, a short one, and one with characters outside the unreserved set', () => {
        expect(verifierMatchesChallenge(`${verifier.slice(0, -1)}Y`, challenge)).toBe(false);
        expect(verifierMatchesChallenge('too-short', challenge)).toBe(false);
        expect(isWellFormedVerifier(`${verifier}+/=`)).toBe(false);
    });
});

describe('scope', () => {
    it('parses RFC 6749 §3.3 scope strings and refuses malformed ones', () => {
        expect(parseScope('files:read files:write')).toEqual(['files:read', 'files:write']);
        expect(parseScope('files:read files:read')).toEqual(['files:read']);
        expect(parseScope('files:read  files:write')).toBeUndefined();
        expect(parseScope(' files:read')).toBeUndefined();
        expect(parseScope('files"read')).toBeUndefined();
    });

    it('never grants files:admin, and lets a refresh narrow but not widen', () => {
        expect(grantableScopes(['files:read', 'files:admin', 'files:write'])).toEqual(['files:read', 'files:write']);
        expect(isWithin(['files:read'], ['files:read', 'files:write'])).toBe(true);
        expect(isWithin(['files:read', 'files:admin'], ['files:read', 'files:write'])).toBe(false);
    });
});

describe('resource indicator', () => {
    it('accepts an absolute canonical http(s) URL and refuses the rest', () => {
        expect(isAcceptableResource('http://127.0.0.1:3001/mcp')).toBe(true);
        expect(isAcceptableResource('http://127.0.0.1:3001/mcp#f')).toBe(false);
        expect(isAcceptableResource('/mcp')).toBe(false);
        expect(isAcceptableResource('urn:example:resource')).toBe(false);
        expect(isAcceptableResource('http://u@127.0.0.1:3001/mcp')).toBe(false);
    });
});

describe('client name', () => {
    const named = (clientName: string) => checkClientMetadata({ client_name: clientName, redirect_uris: ['http://127.0.0.1:1/cb'] });

    it.each(['Claude Desktop', 'Café Client 2', 'ファイル クライアント', 'عميل الملفات', 'Files 😀', 'a\u0301ccent (combining mark)'])('accepts a name people can read: %s', (name) => {
        expect(named(name)).toMatchObject({ ok: true, clientName: name });
    });

    const refused = ['\u061c', '\u200b', '\u200c', '\u200e', '\u202e', '\u2067', '\u115f', '\u3164', '\ufe00', '\u{e007f}', '\u{e0020}', '\u0007', '\u0085'];
    it.each(refused.map((character) => [character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0'), character]))('refuses U+%s by its Unicode property', (_code, character) => {
        expect(named(`Trusted${character}App`)).toMatchObject({ ok: false, error: 'invalid_client_metadata' });
    });
});
