/**
 * The RS's scope policy in one place: which scope each tool needs.
 *
 * The tools' scope challenges (the SDK's HTTP 403 before a tool runs), their
 * descriptions and `tools/list` `_meta`, and the protected-resource metadata
 * all read this table, so what the RS advertises and what it enforces cannot
 * drift apart.
 */

export const TOOL_SCOPES = {
    'list-files': 'files:read',
    'read-file': 'files:read',
    'write-file': 'files:write',
    'purge-files': 'files:admin'
} as const;

export type ToolName = keyof typeof TOOL_SCOPES;

/** Every scope this RS understands (RFC 9728 `scopes_supported`). */
export const SCOPES_SUPPORTED = ['files:read', 'files:write', 'files:admin'];

/**
 * The scope a client should ask for first; named in every 401 challenge (MCP authorization, scope selection).
 * The default of `--initial-scope`, which can name a wider set for clients that cannot step up.
 */
export const INITIAL_SCOPE = 'files:read';

/** The `_meta` key on each tool in `tools/list` that names the scope the tool needs. */
export const REQUIRED_SCOPE_META_KEY = 'scoped-tools/required-scope';

export function isToolName(name: string): name is ToolName {
    return Object.hasOwn(TOOL_SCOPES, name);
}
