/**
 * One stdout line per `tools/call`, written when the response is done:
 * `call tool=<name> client_id=<id> status=<http status>`.
 * Tests and the demo read it. It carries no token and no request text: a tool
 * name this RS does not have is logged as `(unknown)`, and a client_id that is
 * not a plain identifier as `(unprintable)`.
 */
import type { RequestHandler } from 'express';
import { toolCallOf } from './mcp-request.ts';
import { isToolName } from './scopes.ts';

function printableClientId(clientId: string | undefined): string {
    if (clientId === undefined) return '-';
    return /^[\w.:-]{1,128}$/.test(clientId) ? clientId : '(unprintable)';
}

export const logToolCalls: RequestHandler = (req, res, next) => {
    const call = toolCallOf(req.body);
    if (call !== undefined) {
        const tool = isToolName(call.name) ? call.name : '(unknown)';
        res.once('close', () => {
            process.stdout.write(`call tool=${tool} client_id=${printableClientId(req.auth?.clientId)} status=${res.statusCode}\n`);
        });
    }
    next();
};
