/**
 * The Authorization header grammar (demo-rs/authorization-header.ts) as a
 * plain function: RFC 6750 §2.1 credentials, the allow-list of schemes, and
 * the malformed shapes that must never yield a token.
 */
import { describe, expect, it } from 'vitest';
import { parseAuthorization } from '../../demo-rs/authorization-header.ts';

const BEARER = ['Bearer'];

describe('parseAuthorization', () => {
    it.each([
        ['Bearer abc.def-ghi_jkl~mno+pqr/stu==', 'abc.def-ghi_jkl~mno+pqr/stu=='],
        ['Bearer     abc', 'abc'],
        ['bearer abc', 'abc']
    ])('%j → the token', (header, token) => {
        expect(parseAuthorization([header], BEARER)).toEqual({ kind: 'credential', scheme: 'Bearer', token });
    });

    it.each([
        [[], 'no header'],
        [['Basic dXNlcjpwYXNz'], 'another scheme'],
        [['Bearerabc'], 'a scheme glued to its token'],
        [['DPoP abc'], 'a scheme not in the allow-list']
    ])('%j → none (%s)', (headers, _label) => {
        expect(parseAuthorization(headers, BEARER)).toEqual({ kind: 'none' });
    });

    it.each([
        [['Bearer a', 'Bearer b'], 'several-headers'],
        [['Bearer a', 'Basic b'], 'several-headers'],
        [['Bearer'], 'no-token'],
        [['Bearer    '], 'no-token'],
        [['Bearer a b'], 'extra-text'],
        [['Bearer a, Bearer b'], 'extra-text'],
        [['Bearer a=b'], 'extra-text'],
        [['Bearer a\tb'], 'extra-text']
    ])('%j → malformed: %s', (headers, problem) => {
        expect(parseAuthorization(headers, BEARER)).toEqual({ kind: 'malformed', problem });
    });

    it('takes the schemes as a parameter, so a second one (DPoP, RFC 9449 §7.1) shares the grammar', () => {
        const schemes = ['Bearer', 'DPoP'];
        expect(parseAuthorization(['dpop abc'], schemes)).toEqual({ kind: 'credential', scheme: 'DPoP', token: 'abc' });
        expect(parseAuthorization(['DPoP abc def'], schemes)).toEqual({ kind: 'malformed', problem: 'extra-text' });
    });
});
