/**
 * Per-tool scopes, enforced at the HTTP layer before the SDK runs a tool.
 *
 * The tool is read from the JSON-RPC body (not from a header a proxy might
 * rewrite). When the token lacks the tool's scope the answer is HTTP 403 with
 * an `insufficient_scope` challenge naming exactly that scope (RFC 6750 §3.1),
 * which is what lets an MCP client step up with the union of what it holds and
 * what is needed (SEP-2350). A JSON-RPC error inside a 200 would give the
 * client nothing to re-authorize with.
 */
import type { RequestHandler } from 'express';
import { insufficientScopeChallenge } from './challenges.ts';
import { toolCallOf } from './mcp-request.ts';
import { requiredScopeOf } from './scopes.ts';

export function requireToolScope(resourceMetadataUrl: string): RequestHandler {
    return (req, res, next) => {
        const call = toolCallOf(req.body);
        const needed = call && requiredScopeOf(call.name);
        // Not a tools/call, or a tool this RS does not have: nothing to guard, the SDK answers.
        if (call === undefined || needed === undefined) return next();
        if (req.auth?.scopes.includes(needed)) return next();
        res.status(403).set('WWW-Authenticate', insufficientScopeChallenge(needed, resourceMetadataUrl));
        res.json({ error: 'insufficient_scope', error_description: `The tool ${call.name} requires scope ${needed}.`, scope: needed });
    };
}
