/**
 * Unit tests for the trace's redaction and drawing (demo-client/trace/):
 * secrets become stable labels, unknown fields are left out, attacker-chosen
 * iss and error text are not shown, and exchanges the demo does not make yet
 * (DPoP proofs and nonces, a DPoP token type, a /revoke call) come out right
 * through the same fetch wrapper, with no code written for them.
 */
import { describe, expect, it } from 'vitest';
import { challengeFact } from '../../demo-client/trace/challenge.ts';
import { jsonFacts, paramFacts, requestHeaderFacts, responseHeaderFacts, type FactContext } from '../../demo-client/trace/facts.ts';
import { Labels } from '../../demo-client/trace/labels.ts';
import { traceMarkdown } from '../../demo-client/trace/markdown.ts';
import { TraceRecorder } from '../../demo-client/trace/recorder.ts';
import { tracingFetch } from '../../demo-client/trace/traced-fetch.ts';
import { asUserAgent } from '../../demo-client/trace/actor.ts';

const context = (): FactContext => ({ labels: new Labels(), issuers: new Set(['https://as.example']) });

describe('trace labels', () => {
    it('give a value the same label wherever it appears, and count each kind on its own', () => {
        const labels = new Labels();
        expect(labels.of('token', 'aaa')).toBe('token#1');
        expect(labels.of('code', 'bbb')).toBe('code#1');
        expect(labels.of('token', 'ccc')).toBe('token#2');
        expect(labels.of('secret', 'aaa')).toBe('token#1');
    });
});

describe('trace facts', () => {
    it('label secret parameters, show the decisive ones, and leave out every other', () => {
        const params = new URLSearchParams({ code: 'c0de-value', state: 'st4te-value', scope: 'files:read', request_id: 'csrf-value', error_description: 'Sign in at evil.example', iss: 'https://as.example' });
        expect(paramFacts(params, context())).toEqual(['scope="files:read"', 'code=code#1', 'state=state#1', 'iss="https://as.example"']);
    });

    it('do not show an iss the metadata did not name, nor the error beside it (SEP-2468)', () => {
        const params = new URLSearchParams({ error: 'access_denied', state: 's', iss: 'https://honest-as.example' });
        const facts = paramFacts(params, context()).join(' ');
        expect(facts).toContain('iss=(not the issuer in the metadata)');
        expect(facts).toContain('error=(not shown: iss unverified)');
        expect(facts).not.toContain('honest-as');
        expect(facts).not.toContain('access_denied');
    });

    it('show a DPoP token response by its token type, its tokens as labels, nothing unknown', () => {
        const facts = jsonFacts({ access_token: 'at-value', token_type: 'DPoP', scope: 'files:read', refresh_token: 'rt-value', expires_in: 300, secret_sauce: 'x' }, context());
        expect(facts).toEqual(['token_type=DPoP', 'scope="files:read"', 'access_token=token#1', 'refresh_token=refresh#1']);
    });

    it('name a JSON-RPC message by its method and tool', () => {
        expect(jsonFacts({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'write-file', arguments: { content: 'secret text' } } }, context())).toEqual(['tools/call write-file']);
        expect(jsonFacts({ jsonrpc: '2.0', id: 1, error: { code: -32600, message: 'x' } }, context())).toEqual(['JSON-RPC error -32600']);
    });

    it('draw a WWW-Authenticate header as one header: every challenge, every parameter, in the order sent (RFC 9110 §11.6.1)', () => {
        const metadata = 'http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp';
        expect(challengeFact(`Bearer error="invalid_token", scope="files:read", resource_metadata="${metadata}", DPoP algs="ES256 EdDSA", error="use_dpop_nonce"`)).toBe(
            `WWW-Authenticate: Bearer error="invalid_token", scope="files:read", resource_metadata=${metadata}, DPoP algs="ES256 EdDSA", error="use_dpop_nonce"`
        );
        expect(challengeFact('DPoP error="use_dpop_nonce", error_description="Sign in at evil.example, now", Bearer scope="files:write"')).toBe(
            'WWW-Authenticate: DPoP error="use_dpop_nonce", error_description=(not shown), Bearer scope="files:write"'
        );
    });

    it('keep a WWW-Authenticate header with two challenges as one header, algs included (RFC 9449 §7.1)', () => {
        const header = 'Bearer resource_metadata="http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp", scope="files:read", DPoP algs="ES256 EdDSA"';
        expect(responseHeaderFacts(new Headers({ 'www-authenticate': header }), new URL('http://127.0.0.1:3001/mcp'), context())).toEqual([
            'WWW-Authenticate: Bearer resource_metadata=http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp, scope="files:read", DPoP algs="ES256 EdDSA"'
        ]);
    });

    it('label every secret header: the token in use with its scheme, DPoP proofs and nonces, cookies', () => {
        const shared = context();
        jsonFacts({ access_token: 'at-value', token_type: 'DPoP' }, shared);
        const request = new Headers({ authorization: 'DPoP at-value', dpop: 'eyJ.proof.one', cookie: 'consent=abc; other=def', 'user-agent': 'node' });
        expect(requestHeaderFacts(request, shared.labels)).toEqual(['Authorization: DPoP token#1', 'DPoP: proof#1', 'Cookie: cookie#1, cookie#2']);
        const response = new Headers({ 'dpop-nonce': 'n0nce', location: 'http://127.0.0.1:5000/callback?code=xyz&state=s1', 'set-cookie': 'consent=abc; HttpOnly' });
        expect(responseHeaderFacts(response, new URL('http://127.0.0.1:9000/authorize'), shared)).toEqual([
            'Location: http://127.0.0.1:5000/callback',
            'code=code#1',
            'state=state#1',
            'Set-Cookie: cookie#1',
            'DPoP-Nonce: nonce#1'
        ]);
    });
});

describe('the trace of exchanges nobody wrote code for', () => {
    it('draws a DPoP token request and a /revoke, secrets as labels, the refresh token followed by its label', async () => {
        const recorder = new TraceRecorder({ command: 'logout', userAgent: 'headless' });
        const answers: Record<string, Response> = {
            '/token': Response.json({ access_token: 'AT-SECRET-1', token_type: 'DPoP', refresh_token: 'RT-SECRET-1', scope: 'files:read' }, { headers: { 'dpop-nonce': 'NONCE-1' } }),
            '/revoke': new Response(null, { status: 200 })
        };
        const traced = tracingFetch(recorder, async (input) => answers[new URL(String(input)).pathname]!.clone());
        await traced('http://127.0.0.1:9000/token', { method: 'POST', headers: { dpop: 'PROOF-SECRET-1' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'RT-SECRET-0' }) });
        await traced('http://127.0.0.1:9000/revoke', { method: 'POST', headers: { dpop: 'PROOF-SECRET-2' }, body: new URLSearchParams({ token: 'RT-SECRET-1', token_type_hint: 'refresh_token' }) });
        const markdown = traceMarkdown(recorder);
        expect(markdown).toContain('C->>AS: 1. POST /token grant_type=refresh_token, refresh_token=refresh#35;1<br/>DPoP: proof#35;1');
        expect(markdown).toContain('AS-->>C: 200 DPoP-Nonce: nonce#35;1, token_type=DPoP, scope="files:read"<br/>access_token=token#35;1, refresh_token=refresh#35;2');
        expect(markdown).toContain('C->>AS: 2. POST /revoke token_type_hint=refresh_token, token=refresh#35;2<br/>DPoP: proof#35;2');
        expect(markdown).toContain('  2. client → AS: POST /revoke token_type_hint=refresh_token token=refresh#2 DPoP: proof#2 ⇒ 200');
        expect(markdown).not.toMatch(/SECRET|NONCE-1/);
    });

    it("draws a request to the callback listener once, as received, and never the listener as an authorization server", async () => {
        const recorder = new TraceRecorder({ command: 'call list-files', userAgent: 'headless' });
        const listener = 'http://127.0.0.1:5000';
        recorder.callbackOrigins.add(listener);
        // The user agent delivers the callback; the run is drawn before that request has its answer.
        const traced = tracingFetch(recorder, () => new Promise<Response>(() => {}));
        void asUserAgent(() => traced(`${listener}/callback?code=c0de&state=st4te`));
        recorder.record({ from: 'user-agent', to: listener, incoming: true, method: 'GET', path: '/callback', request: ['code=code#1'], status: 200, response: [] });
        const diagram = /```mermaid\n([\s\S]*?)```/.exec(traceMarkdown(recorder))![1]!;
        expect(diagram.split('\n').filter((line) => line.includes('participant'))).toEqual([
            '    participant U as headless user agent',
            '    participant L as callback listener 127.0.0.1:5000',
            '    participant C as demo-client'
        ]);
        expect(diagram.split('\n').filter((line) => line.includes('->>L'))).toEqual(['    U->>L: 1. GET /callback code=code#35;1']);
    });

    it('folds received requests turned away the same way into the first, with a count', () => {
        const recorder = new TraceRecorder({ command: 'call list-files', userAgent: 'browser' });
        const listener = 'http://127.0.0.1:5000';
        recorder.callbackOrigins.add(listener);
        for (let n = 0; n < 300; n++) {
            const exchange = recorder.record({ from: 'user-agent', to: listener, incoming: true, method: 'GET', path: '/callback', request: [], status: 400, response: [] });
            recorder.event({ kind: 'callback-rejected', reason: 'its state does not match the pending authorization', repeated: n > 0 });
            recorder.folded(exchange);
        }
        const markdown = traceMarkdown(recorder);
        expect(markdown.match(/U->>L/g)).toHaveLength(1);
        expect(markdown).toContain('L-->>U: 400 and 299 more turned away the same way');
        expect(markdown.match(/Note over C: callback turned away/g)).toHaveLength(1);
    });

    it('writes text mermaid would read as syntax or HTML as entity codes', () => {
        const recorder = new TraceRecorder({ command: 'tools', userAgent: 'headless' });
        recorder.record({ from: 'client', to: 'http://127.0.0.1:9000', incoming: false, method: 'GET', path: '/x;y', request: ['error=<b>#1</b>'], status: 400, response: [] });
        const diagram = /```mermaid\n([\s\S]*?)```/.exec(traceMarkdown(recorder))![1]!;
        expect(diagram).toContain('1. GET /x#59;y error=#60;b#62;#35;1#60;/b#62;');
        const messages = diagram.split('\n').flatMap((line) => /^ {4}\S+: (.*)$/.exec(line)?.[1] ?? []);
        expect(messages).toHaveLength(2);
        for (const message of messages) expect(message.replace(/#\d+;/g, '')).not.toMatch(/[<>;#]/);
    });
});
