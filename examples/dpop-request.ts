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
 *
 * What it reads from demo-client's token store (a JSON file, mode 0600):
 *
 *   { "resources": { "<RS /mcp url>": {
 *       "latestIssuer": "<issuer whose tokens were saved last>",
 *       "tokens": { "<issuer>": { "access_token": "…", … } },
 *       "dpopKey": { "kty": "EC", "crv": "P-256", "x": "…", "y": "…", "d": "…", "alg": "ES256" } } } }
 *
 * `dpopKey` is the private JWK (RFC 7517) the tokens are bound to; its public
 * members are the `jwk` each proof carries, and their RFC 7638 thumbprint is
 * the token's `cnf.jkt`.
 */
import { readFileSync } from 'node:fs';
import { DpopSession, type DpopKeyPair } from '@modelcontextprotocol/client';
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';

/** The members of a JWK that are private (RFC 7518 §6.2.2, §6.3.2, §6.4) or describe the key's use, not the public key. */
const NON_PUBLIC_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext', 'alg']);

/** The ES256 key pair back from its stored private JWK; undefined when the stored value is not one. */
async function keyPairFrom(stored: JWK): Promise<DpopKeyPair | undefined> {
    if (stored.alg !== 'ES256' || typeof stored.d !== 'string') return undefined;
    const publicJwk = Object.fromEntries(Object.entries(stored).filter(([name]) => !NON_PUBLIC_MEMBERS.has(name))) as JWK;
    try {
        const privateKey = (await importJWK(stored, 'ES256')) as CryptoKey;
        const publicKey = (await importJWK(publicJwk, 'ES256')) as CryptoKey;
        return { privateKey, publicKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk), alg: 'ES256' };
    } catch {
        return undefined;
    }
}

const USAGE = 'usage: dpop-request.ts <token store file> <RS /mcp url> <tool> [k=v …]  (no flags but --help)\n';
const [storePath, server, tool, ...pairs] = process.argv.slice(2);
if (storePath === '--help' || storePath === '-h') (process.stdout.write(USAGE), process.exit(0));
if (!storePath || !server || !tool) (process.stderr.write(USAGE), process.exit(2));

/** The store's entry for `server`; a missing or unparsable file is one line and exit 1, never a stack trace. */
function storedEntry(path: string, resource: string) {
    try {
        return JSON.parse(readFileSync(path, 'utf8')).resources?.[resource];
    } catch {
        process.stderr.write(`dpop-request: cannot read ${path} as a token store; run demo-client first\n`);
        process.exit(1);
    }
}

const entry = storedEntry(storePath, server);
const tokensByIssuer: Record<string, { access_token?: string }> = entry?.tokens ?? {};
const token = (tokensByIssuer[entry?.latestIssuer] ?? Object.values(tokensByIssuer)[0])?.access_token;
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
