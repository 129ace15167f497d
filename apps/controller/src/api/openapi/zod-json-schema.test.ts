import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { isOptional, toJsonSchema } from './zod-json-schema.js';

test('toJsonSchema: the zod forms the API uses, as OpenAPI 3.0 schema objects', () => {
  assert.deepEqual(toJsonSchema(z.string().min(1).max(5).regex(/^a/)), { type: 'string', minLength: 1, maxLength: 5, pattern: '^a' });
  assert.deepEqual(toJsonSchema(z.number().int().min(0)), { type: 'integer', minimum: 0 });
  assert.deepEqual(toJsonSchema(z.number().gt(0)), { type: 'number', minimum: 0, exclusiveMinimum: true });
  assert.deepEqual(toJsonSchema(z.string().nullable()), { type: 'string', nullable: true });
  assert.deepEqual(toJsonSchema(z.enum(['a', 'b'])), { type: 'string', enum: ['a', 'b'] });
  assert.deepEqual(toJsonSchema(z.record(z.string())), { type: 'object', additionalProperties: { type: 'string' } });
  assert.deepEqual(toJsonSchema(z.object({ a: z.string(), b: z.number().optional(), c: z.boolean().default(false) })), {
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'number' }, c: { type: 'boolean', default: false } },
    required: ['a'],
    additionalProperties: true,
  });
  assert.equal(toJsonSchema(z.object({ a: z.string() }).strict())['additionalProperties'], false, 'a strict object refuses other keys');
  assert.deepEqual(toJsonSchema(z.string().email().describe('who')), { type: 'string', format: 'email', description: 'who' });
  assert.deepEqual(toJsonSchema(z.string().refine((s) => s !== 'x')), { type: 'string' }, 'a refinement documents what it refines');
  assert.deepEqual(toJsonSchema(z.string().pipe(z.coerce.number().int())), { type: 'integer' }, 'a pipeline documents what it ends in');
  assert.deepEqual(toJsonSchema(z.preprocess((v) => v, z.number().int().max(1000).default(100))), { type: 'integer', maximum: 1000, default: 100 });
  assert.ok(!('$schema' in toJsonSchema(z.string())), 'no JSON Schema dialect inside an OpenAPI document');
});

test('isOptional: optional and defaulted properties may be left out', () => {
  assert.equal(isOptional(z.string().optional()), true);
  assert.equal(isOptional(z.number().default(1)), true);
  assert.equal(isOptional(z.string()), false);
});
