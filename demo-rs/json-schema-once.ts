/**
 * A zod schema whose JSON Schema is computed once instead of on every request.
 *
 * The SDK builds a fresh `McpServer` per request and converts each tool's zod
 * schemas to JSON Schema through the Standard JSON Schema interface
 * (`schema['~standard'].jsonSchema`) — the output schema on every
 * `tools/call`, the input schema on every 2026-07-28 call, all of them on
 * `tools/list`. Its memo lives on the server instance, so it never outlives
 * the request, and zod converts from scratch each time (a tenth of a call's
 * CPU time in a profile). The schemas here are module-level constants, so
 * their JSON Schema cannot change: this computes it on first use and hands
 * out the same frozen object afterwards. Validation stays zod's own.
 */
import type * as z from 'zod';

type JsonSchemaMethod = (params?: { target?: string; libraryOptions?: Record<string, unknown> }) => Record<string, unknown>;

function deepFreeze<T>(value: T): T {
    if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const entry of Object.values(value)) deepFreeze(entry);
    }
    return value;
}

/** Remembers one conversion per JSON Schema target; calls with library options are passed through unremembered. */
function rememberPerTarget(convert: JsonSchemaMethod): JsonSchemaMethod {
    const byTarget = new Map<string | undefined, Record<string, unknown>>();
    return (params) => {
        if (params?.libraryOptions !== undefined) return convert(params);
        let json = byTarget.get(params?.target);
        if (json === undefined) {
            json = deepFreeze(convert(params));
            byTarget.set(params?.target, json);
        }
        return json;
    };
}

/** `schema` itself, its `~standard.jsonSchema` conversions remembered (zod 4 exposes `~standard` as a settable property). */
export function jsonSchemaOnce<T extends z.ZodType>(schema: T): T {
    const standard = schema['~standard'] as T['~standard'] & { jsonSchema: { input: JsonSchemaMethod; output: JsonSchemaMethod } };
    (schema as { '~standard': unknown })['~standard'] = {
        ...standard,
        jsonSchema: { input: rememberPerTarget(standard.jsonSchema.input), output: rememberPerTarget(standard.jsonSchema.output) }
    };
    return schema;
}
