/**
 * The four tools over the file store, registered on an SDK `McpServer`.
 *
 * Each tool's description and `_meta` name the scope it needs, so a client can
 * see from `tools/list` what a call will ask of its token. The same table
 * feeds each tool's `scopeChallenge` (the SDK's `requireScopes`): the SDK
 * checks it before the tool runs, in both protocol eras, and answers a call
 * whose token lacks the scope with HTTP 403 and a `Bearer
 * error="insufficient_scope", scope="<needed>", resource_metadata="…"`
 * challenge (RFC 6750 §3.1) — the challenge a client steps up from (SEP-2350).
 * A JSON-RPC error inside a 200 would give the client nothing to re-authorize
 * with. Which scopes that challenge names is `--challenge-scope`
 * (scope-challenge.ts). The handlers here only do the file work.
 *
 * The SDK builds a fresh `McpServer` for every request (mcp-endpoint.ts), so
 * everything that does not depend on the request — the zod schemas, each
 * tool's description and scope challenge — is built once, when the endpoint
 * is made (`fileToolConfigs`), and only registered per request
 * (docs/benchmarks.md).
 */
import type { McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { MAX_FILES, type FileStore } from './file-store.ts';
import { jsonSchemaOnce } from './json-schema-once.ts';
import { scopeChallengeFor, type ChallengeScope } from './scope-challenge.ts';
import { REQUIRED_SCOPE_META_KEY, TOOL_SCOPES, type ToolName } from './scopes.ts';

const fileName = z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only, starting with a letter or digit')
    .describe('File name, e.g. notes.txt');

const fileContent = z.string().max(16 * 1024).describe('Text content, at most 16 KiB');

const fileEntry = z.object({ name: z.string(), bytes: z.number().int() });

/** Title, description, `_meta` and the enforced scope challenge for `tool`, all from its one scope. */
function describe(tool: ToolName, title: string, summary: string, challengeScope: ChallengeScope) {
    const scope = TOOL_SCOPES[tool];
    return {
        title,
        description: `${summary} Requires scope ${scope}.`,
        _meta: { [REQUIRED_SCOPE_META_KEY]: scope },
        scopeChallenge: scopeChallengeFor(scope, challengeScope)
    };
}

function textAndData<T extends Record<string, unknown>>(text: string, data: T) {
    return { content: [{ type: 'text' as const, text }], structuredContent: data };
}

function failure(text: string) {
    return { content: [{ type: 'text' as const, text }], isError: true };
}

const SCHEMAS = {
    'list-files': { outputSchema: jsonSchemaOnce(z.object({ files: z.array(fileEntry) })) },
    'read-file': { inputSchema: jsonSchemaOnce(z.object({ name: fileName })), outputSchema: jsonSchemaOnce(z.object({ name: z.string(), content: z.string() })) },
    'write-file': {
        inputSchema: jsonSchemaOnce(z.object({ name: fileName, content: fileContent })),
        outputSchema: jsonSchemaOnce(z.object({ name: z.string(), bytes: z.number().int(), created: z.boolean() }))
    },
    'purge-files': { outputSchema: jsonSchemaOnce(z.object({ removed: z.number().int() })) }
};

/** Each tool's registration, built once per endpoint: title, description, _meta, scope challenge and schemas. */
export function fileToolConfigs(challengeScope: ChallengeScope) {
    return {
        'list-files': { ...describe('list-files', 'List files', 'Lists the files in the demo store with their sizes.', challengeScope), ...SCHEMAS['list-files'] },
        'read-file': { ...describe('read-file', 'Read a file', 'Returns the content of one file.', challengeScope), ...SCHEMAS['read-file'] },
        'write-file': { ...describe('write-file', 'Write a file', 'Creates or replaces one file.', challengeScope), ...SCHEMAS['write-file'] },
        'purge-files': { ...describe('purge-files', 'Purge all files', 'Deletes every file in the store.', challengeScope), ...SCHEMAS['purge-files'] }
    };
}

export type FileToolConfigs = ReturnType<typeof fileToolConfigs>;

export function registerFileTools(server: McpServer, store: FileStore, configs: FileToolConfigs): void {
    server.registerTool('list-files', configs['list-files'], async () => {
        const files = store.list();
        const text = files.length === 0 ? '(no files)' : files.map((file) => `${file.name} (${file.bytes} bytes)`).join('\n');
        return textAndData(text, { files });
    });

    server.registerTool('read-file', configs['read-file'], async ({ name }) => {
        const content = store.read(name);
        return content === undefined ? failure('No file with that name.') : textAndData(content, { name, content });
    });

    server.registerTool('write-file', configs['write-file'], async ({ name, content }) => {
        const written = store.write(name, content);
        if (written === undefined) return failure(`The store is full (${MAX_FILES} files); nothing was written.`);
        const bytes = Buffer.byteLength(content);
        return textAndData(`${written.created ? 'Created' : 'Replaced'} ${name} (${bytes} bytes).`, { name, bytes, created: written.created });
    });

    server.registerTool('purge-files', configs['purge-files'], async () => {
        const removed = store.purge();
        return textAndData(`Removed ${removed} files.`, { removed });
    });
}
