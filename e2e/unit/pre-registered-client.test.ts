/**
 * How a pre-registered client (`--client-id`, DEMO_CLIENT_SECRET) authenticates
 * at the token endpoint: the method chosen from the AS metadata, the one line
 * when none fits, and the credentials as RFC 6749 §2.3.1 puts them on the wire.
 */
import type { AuthorizationServerMetadata } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { authenticate, chooseAuthMethod, refusedClientLine } from '../../demo-client/pre-registered-client.ts';

const metadata = (methods?: string[]) =>
    ({ issuer: 'https://as.example', authorization_endpoint: 'https://as.example/a', token_endpoint: 'https://as.example/t', response_types_supported: ['code'], token_endpoint_auth_methods_supported: methods }) as AuthorizationServerMetadata;
const publicClient = { clientId: 'mcp-demo' };
const confidential = { clientId: 'mcp-demo', secret: 'a secret:with+signs%' };

describe('choosing the token endpoint authentication of a pre-registered client', () => {
    it('a public client uses none where the AS lists it, or lists nothing', () => {
        expect(chooseAuthMethod(publicClient, metadata(['none', 'client_secret_basic']))).toEqual({ method: 'none' });
        expect(chooseAuthMethod(publicClient, metadata(undefined))).toEqual({ method: 'none' });
    });
    it('a secret the AS requires but DEMO_CLIENT_SECRET does not hold is one line, before any request', () => {
        expect(chooseAuthMethod(publicClient, metadata(['client_secret_basic', 'private_key_jwt']))).toEqual({
            problem: 'client "mcp-demo" needs a secret here: the authorization server takes no public clients at its token endpoint (token_endpoint_auth_methods_supported has no "none"); set DEMO_CLIENT_SECRET to the client\'s secret'
        });
    });
    it('a secret goes in HTTP Basic where listed (RFC 6749 §2.3.1), and in the body only where Basic is not', () => {
        expect(chooseAuthMethod(confidential, metadata(['none', 'client_secret_post', 'client_secret_basic']))).toEqual({ method: 'client_secret_basic' });
        // RFC 8414 §2: an AS that lists nothing supports client_secret_basic.
        expect(chooseAuthMethod(confidential, metadata(undefined))).toEqual({ method: 'client_secret_basic' });
        expect(chooseAuthMethod(confidential, metadata(['none', 'client_secret_post']))).toEqual({ method: 'client_secret_post' });
    });
    it('a secret an AS cannot take is refused in one line that does not show it', () => {
        const choice = chooseAuthMethod(confidential, metadata(['none']));
        expect(choice).toEqual({ problem: expect.stringContaining('DEMO_CLIENT_SECRET is set, but the authorization server takes no client secret') });
        expect(JSON.stringify(choice)).not.toContain(confidential.secret);
    });
});

describe('the credentials on the token request', () => {
    it('client_secret_basic form-urlencodes id and secret before Base64 (RFC 6749 §2.3.1)', () => {
        const headers = new Headers();
        const params = new URLSearchParams({ grant_type: 'authorization_code', client_id: 'mcp-demo' });
        authenticate('client_secret_basic', confidential, headers, params);
        const [scheme, credentials] = headers.get('authorization')!.split(' ');
        expect(scheme).toBe('Basic');
        expect(Buffer.from(credentials!, 'base64').toString()).toBe('mcp-demo:a+secret%3Awith%2Bsigns%25');
        expect(params.has('client_id')).toBe(false);
        expect(params.has('client_secret')).toBe(false);
    });
    it('client_secret_post and none put the client_id (and only for post the secret) in the body', () => {
        const post = new URLSearchParams();
        authenticate('client_secret_post', confidential, new Headers(), post);
        expect(Object.fromEntries(post)).toEqual({ client_id: 'mcp-demo', client_secret: confidential.secret });
        const none = new URLSearchParams();
        const headers = new Headers();
        authenticate('none', publicClient, headers, none);
        expect(Object.fromEntries(none)).toEqual({ client_id: 'mcp-demo' });
        expect(headers.has('authorization')).toBe(false);
    });
    it('a refused client is told what to check, without the secret', () => {
        expect(refusedClientLine(publicClient, 'invalid_client')).toBe(
            'the authorization server refused client "mcp-demo" at its token endpoint (invalid_client); if it is a confidential client, set DEMO_CLIENT_SECRET to its secret'
        );
        expect(refusedClientLine(confidential, 'invalid_client')).not.toContain(confidential.secret);
    });
});
