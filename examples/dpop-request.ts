/**
 * One MCP tools/call the way a DPoP client sends it (RFC 9449 §7), printed
 * raw — the `curl` of a DPoP-bound token, which curl alone cannot sign.
 *
 *   npx tsx examples/dpop-request.ts <token store file> <RS /mcp url> <tool> [k=v …]
 *
 * It takes the access token demo-client stored for the resource and the DPoP
 * key stored with it, signs a proof for this one request with the SDK's
 * DpopSession (`htm` POST, `htu` the URL, `ath` the token's hash, a fresh
 * `jti`), sends `Authorization: DPoP <token>` plus the `DPoP` header, and
 * prints the status, the WWW-Authenticate challenge and the body.
 */
import { readFileSync } from 'node:fs';
import { DpopSession } from '@modelcontextprotocol/client';
import { keyPairFrom } from '../demo-client/dpop-key.ts';

const [storePath, server, tool, ...pairs] = process.argv.slice(2);
if (!storePath || !server || !tool) {
    process.stderr.write('usage: dpop-request.ts <token store file> <RS /mcp url> <tool> [k=v …]\n');
    process.exit(2);
}

const entry = JSON.parse(readFileSync(storePath, 'utf8')).resources?.[server];
const token: string | undefined = Object.values<{ access_token?: string }>(entry?.tokens ?? {})[0]?.access_token;
const keyPair = entry?.dpopKey && (await keyPairFrom(entry.dpopKey));
if (!token || !keyPair) {
    process.stderr.write(`dpop-request: the store has no DPoP-bound token for ${server}; run demo-client first\n`);
    process.exit(1);
}

const session = await DpopSession.create({ keyPair });
const args = Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const response = await fetch(server, {
    method: 'POST',
    headers: {
        authorization: `DPoP ${token}`,
        dpop: await session.buildProof({ htm: 'POST', htu: server, accessToken: token }),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25'
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: args } })
});
process.stdout.write(`HTTP ${response.status}\n`);
const challenge = response.headers.get('www-authenticate');
if (challenge) process.stdout.write(`www-authenticate: ${challenge}\n`);
process.stdout.write(`\n${await response.text()}\n`);
