/**
 * Arguments for a tool, shaped by the input schema the server lists: the
 * story fills required fields with fixed sample values (so its output is the
 * same on every run), and `call` converts its `k=v` strings to the types the
 * schema asks for.
 */
import type { Tool } from '@modelcontextprotocol/client';

type Property = { type?: string | string[] };

const propertiesOf = (tool: Tool | undefined): Record<string, Property> => (tool?.inputSchema.properties ?? {}) as Record<string, Property>;

const typeOf = (property: Property | undefined) => (Array.isArray(property?.type) ? property.type[0] : property?.type);

/** A fixed sample value for a field, by its type and name. */
function sampleValue(name: string, property: Property): unknown {
    switch (typeOf(property)) {
        case 'boolean':
            return true;
        case 'number':
        case 'integer':
            return 1;
        default:
            if (/path|file|name/i.test(name)) return 'story.txt';
            if (/content|text|data|body/i.test(name)) return 'written by the scoped-tools story';
            return 'story';
    }
}

/** Sample arguments for every required field of `tool` (none when the schema lists none). */
export function sampleArguments(tool: Tool | undefined): Record<string, unknown> {
    const properties = propertiesOf(tool);
    const required = (tool?.inputSchema.required ?? []) as string[];
    return Object.fromEntries(required.filter((name) => properties[name]).map((name) => [name, sampleValue(name, properties[name]!)]));
}

/** `k=v` strings converted where the schema says a field is a boolean or a number; anything else stays a string. */
export function typedArguments(tool: Tool | undefined, raw: Record<string, string>): Record<string, unknown> {
    const properties = propertiesOf(tool);
    return Object.fromEntries(
        Object.entries(raw).map(([name, value]) => {
            const type = typeOf(properties[name]);
            if (type === 'boolean' && (value === 'true' || value === 'false')) return [name, value === 'true'];
            if ((type === 'number' || type === 'integer') && value.trim() !== '' && Number.isFinite(Number(value))) return [name, Number(value)];
            return [name, value];
        })
    );
}
