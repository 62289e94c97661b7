/**
 * demo-rs/json-schema-once.ts: a module-level zod schema converts to JSON
 * Schema once, hands out that same (frozen) result afterwards, gives exactly
 * what zod gives, and still validates with zod.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { jsonSchemaOnce } from '../../demo-rs/json-schema-once.ts';

const target = { target: 'draft-2020-12' };

describe('jsonSchemaOnce', () => {
    it('returns zod’s own JSON Schema, computed once per target and frozen', () => {
        const plain = z.object({ name: z.string().min(1), bytes: z.number().int() });
        const expected = z.object({ name: z.string().min(1), bytes: z.number().int() })['~standard'].jsonSchema.output(target);
        const schema = jsonSchemaOnce(plain);
        const first = schema['~standard'].jsonSchema.output(target);
        expect(first).toEqual(expected);
        expect(schema['~standard'].jsonSchema.output(target)).toBe(first);
        expect(Object.isFrozen(first)).toBe(true);
        expect(Object.isFrozen((first as { properties: object }).properties)).toBe(true);
        expect(schema['~standard'].jsonSchema.input(target)).not.toBe(first);
        expect(schema['~standard'].jsonSchema.output({ target: 'draft-07' })).not.toBe(first);
    });

    it('leaves validation to zod', async () => {
        const schema = jsonSchemaOnce(z.object({ name: z.string().min(1) }));
        expect(schema.safeParse({ name: '' }).success).toBe(false);
        expect(await schema['~standard'].validate({ name: 'a' })).toEqual({ value: { name: 'a' } });
        expect(((await schema['~standard'].validate({ name: 1 })) as { issues?: unknown[] }).issues?.length).toBe(1);
    });
});
