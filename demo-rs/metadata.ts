/**
 * RFC 9728 protected-resource metadata for `/mcp`, at the path-aware
 * well-known URL the SDK computes (`/.well-known/oauth-protected-resource/mcp`).
 *
 * Served by hand rather than with the SDK's `mcpAuthMetadataRouter`: that
 * router needs the AS's full RFC 8414 document at start-up (it re-serves it
 * from the RS), but this RS only learns about the AS lazily, and it advertises
 * `bearer_methods_supported`, which the router does not.
 */
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/server';
import type { RequestHandler } from 'express';
import { SCOPES_SUPPORTED } from './scopes.ts';

export function protectedResourceMetadata(resource: URL, issuer: string): OAuthProtectedResourceMetadata {
    return {
        resource: resource.href,
        authorization_servers: [issuer],
        scopes_supported: SCOPES_SUPPORTED,
        bearer_methods_supported: ['header'], // RFC 6750 §2.1 only: no tokens in query strings or form bodies
        resource_name: 'scoped-tools demo file store'
    };
}

export function serveProtectedResourceMetadata(document: OAuthProtectedResourceMetadata): RequestHandler {
    return (_req, res) => {
        res.json(document);
    };
}
