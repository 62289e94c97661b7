/**
 * What `POST /mcp` runs once a request is authenticated, in order: a JSON
 * body within the size limit, the call log, the batch, Mcp-Method and Mcp-Name checks,
 * then the SDK's MCP handler with the scoped tools. One list, so the shipped
 * RS and the benchmark's unauthenticated build (scripts/bench-rs-unauthenticated.ts)
 * cannot drift apart.
 */
import express, { type RequestHandler } from 'express';
import { logToolCalls } from './call-log.ts';
import { FileStore } from './file-store.ts';
import { rejectMcpMethodMismatch } from './mcp-method-check.ts';
import { rejectMcpNameMismatch } from './mcp-name-check.ts';
import { mcpEndpoint } from './mcp-endpoint.ts';
import { rejectBatches, requireJsonBody } from './mcp-request.ts';
import type { ChallengeScope } from './scope-challenge.ts';

export const MCP_PATH = '/mcp';
const BODY_LIMIT = '64kb';

export function mcpRouteAfterAuthentication(challengeScope: ChallengeScope = 'required', store = new FileStore()): RequestHandler[] {
    return [requireJsonBody, express.json({ limit: BODY_LIMIT }), logToolCalls, rejectBatches, rejectMcpMethodMismatch, rejectMcpNameMismatch, mcpEndpoint(store, challengeScope)];
}
