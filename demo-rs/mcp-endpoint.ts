/**
 * The MCP endpoint itself: the SDK's `createMcpHandler` behind Express.
 *
 * One server factory serves both protocol eras the SDK speaks: 2026-07-28
 * requests (per-request `_meta` envelope) on the modern path, and 2025-era
 * traffic (the `initialize` lifecycle, e.g. the v1 SDK client) through the
 * SDK's stateless legacy fallback. Every request gets a fresh `McpServer`; the
 * file store is the only state and is shared.
 *
 * Authentication and the `Mcp-Name` check run before this handler; the
 * verified token arrives as `req.auth`, which the SDK reads for each tool's
 * scope challenge (in both eras) and hands to the tools as `ctx.http.authInfo`.
 */
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { RequestHandler } from 'express';
import type { FileStore } from './file-store.ts';
import type { ChallengeScope } from './scope-challenge.ts';
import { fileToolConfigs, registerFileTools, type FileToolConfigs } from './tools.ts';

export const SERVER_INFO = { name: 'scoped-tools-demo-rs', version: '0.1.0' };

function fileServer(store: FileStore, tools: FileToolConfigs): McpServer {
    const server = new McpServer(SERVER_INFO);
    registerFileTools(server, store, tools);
    return server;
}

/** `challengeScope`: what each tool's 403 names (`--challenge-scope`, scope-challenge.ts). */
export function mcpEndpoint(store: FileStore, challengeScope: ChallengeScope): RequestHandler {
    const tools = fileToolConfigs(challengeScope);
    // 'stateless' is the SDK default, spelled out: it is what serves 2025-era clients next to 2026-07-28 ones.
    const handler = createMcpHandler(() => fileServer(store, tools), { legacy: 'stateless' });
    const serve = toNodeHandler(handler);
    return (req, res) => serve(req, res, req.body);
}
