import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

/** An OpenAPI 3.0 schema object (the JSON Schema dialect of OpenAPI 3.0: `nullable`, no type arrays). */
export type SchemaObject = Record<string, unknown>;

/**
 * The OpenAPI 3.0 schema object of a zod schema the API uses, by zod-to-json-schema (the library, not
 * zod's internals): inline (no `$ref`s), refinements documented by what they refine, a pipeline by
 * what it ends in.
 */
export function toJsonSchema(schema: z.ZodTypeAny): SchemaObject {
  const { $schema: _dialect, ...out } = zodToJsonSchema(schema, {
    target: 'openApi3',
    $refStrategy: 'none',
    effectStrategy: 'input',
    pipeStrategy: 'output',
    // Only .strict() objects refuse other keys; the others drop them (zod's default), so say nothing.
    removeAdditionalStrategy: 'strict',
  }) as SchemaObject;
  return out;
}

/** Whether an object property may be left out. */
export function isOptional(schema: z.ZodTypeAny): boolean {
  return schema.isOptional() || schema instanceof z.ZodDefault;
}
