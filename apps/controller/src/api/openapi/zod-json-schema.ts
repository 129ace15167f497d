import { z } from 'zod';

/** An OpenAPI 3.0 schema object (the JSON Schema dialect of OpenAPI 3.0: `nullable`, no type arrays). */
export type SchemaObject = Record<string, unknown>;

/**
 * Converts the zod schemas the API uses to OpenAPI 3.0 schema objects: objects, strings (length,
 * pattern, email, uuid, url, datetime), numbers and integers (bounds), booleans, arrays, records, enums,
 * literals, unions, nullable, optional, defaults, and refinements (their inner schema). Anything
 * else fails loudly, so a schema the document cannot describe is noticed in the tests.
 */
export function toJsonSchema(schema: z.ZodTypeAny): SchemaObject {
  const out = convert(schema);
  if (schema.description && out['description'] === undefined) out['description'] = schema.description;
  return out;
}

/** Whether an object property may be left out. */
export function isOptional(schema: z.ZodTypeAny): boolean {
  return schema.isOptional() || schema instanceof z.ZodDefault;
}

function convert(s: z.ZodTypeAny): SchemaObject {
  if (s instanceof z.ZodObject) {
    const shape = s.shape as Record<string, z.ZodTypeAny>;
    const properties = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, toJsonSchema(v)]));
    const required = Object.entries(shape)
      .filter(([, v]) => !isOptional(v))
      .map(([k]) => k);
    const o: SchemaObject = { type: 'object', properties };
    if (required.length) o['required'] = required;
    const unknownKeys = (s._def as { unknownKeys?: string }).unknownKeys;
    if (unknownKeys === 'strict') o['additionalProperties'] = false;
    return o;
  }
  if (s instanceof z.ZodString) {
    const o: SchemaObject = { type: 'string' };
    for (const check of s._def.checks) {
      if (check.kind === 'min') o['minLength'] = check.value;
      else if (check.kind === 'max') o['maxLength'] = check.value;
      else if (check.kind === 'regex') o['pattern'] = check.regex.source;
      else if (check.kind === 'email') o['format'] = 'email';
      else if (check.kind === 'uuid') o['format'] = 'uuid';
      else if (check.kind === 'url') o['format'] = 'uri';
      else if (check.kind === 'datetime') o['format'] = 'date-time';
    }
    return o;
  }
  if (s instanceof z.ZodNumber) {
    const o: SchemaObject = { type: s._def.checks.some((c) => c.kind === 'int') ? 'integer' : 'number' };
    for (const check of s._def.checks) {
      if (check.kind === 'min') o[check.inclusive ? 'minimum' : 'exclusiveMinimum'] = check.value;
      else if (check.kind === 'max') o[check.inclusive ? 'maximum' : 'exclusiveMaximum'] = check.value;
    }
    if (o['exclusiveMinimum'] !== undefined) [o['minimum'], o['exclusiveMinimum']] = [o['exclusiveMinimum'], true];
    if (o['exclusiveMaximum'] !== undefined) [o['maximum'], o['exclusiveMaximum']] = [o['exclusiveMaximum'], true];
    return o;
  }
  if (s instanceof z.ZodBoolean) return { type: 'boolean' };
  if (s instanceof z.ZodDate) return { type: 'string', format: 'date-time' };
  if (s instanceof z.ZodArray) {
    const o: SchemaObject = { type: 'array', items: toJsonSchema(s.element as z.ZodTypeAny) };
    if (s._def.minLength) o['minItems'] = s._def.minLength.value;
    if (s._def.maxLength) o['maxItems'] = s._def.maxLength.value;
    return o;
  }
  if (s instanceof z.ZodRecord) return { type: 'object', additionalProperties: toJsonSchema(s.valueSchema as z.ZodTypeAny) };
  if (s instanceof z.ZodEnum) return { type: 'string', enum: [...(s.options as string[])] };
  if (s instanceof z.ZodLiteral) return { enum: [s.value] };
  if (s instanceof z.ZodNull) return { nullable: true, enum: [null] };
  if (s instanceof z.ZodUnknown || s instanceof z.ZodAny) return {};
  if (s instanceof z.ZodUnion) {
    const options = (s.options as z.ZodTypeAny[]).map(toJsonSchema);
    // A union of a string and a date documents one string (dates are sent as ISO 8601 strings).
    if (options.every((o) => o['type'] === 'string')) return { type: 'string', format: 'date-time' };
    return { anyOf: options };
  }
  if (s instanceof z.ZodNullable) {
    const inner = toJsonSchema(s.unwrap() as z.ZodTypeAny);
    if (inner['enum'] && Array.isArray(inner['enum'])) return { ...inner, nullable: true, enum: [...inner['enum'], null] };
    return { ...inner, nullable: true };
  }
  if (s instanceof z.ZodOptional) return toJsonSchema(s.unwrap() as z.ZodTypeAny);
  if (s instanceof z.ZodDefault) {
    const inner = toJsonSchema(s._def.innerType as z.ZodTypeAny);
    return { ...inner, default: s._def.defaultValue() as unknown };
  }
  if (s instanceof z.ZodEffects) return toJsonSchema(s.innerType() as z.ZodTypeAny);
  // A pipeline documents what it ends in (what comes first only checks cheaply).
  if (s instanceof z.ZodPipeline) return toJsonSchema(s._def.out as z.ZodTypeAny);
  throw new Error(`toJsonSchema: no OpenAPI form for ${s.constructor.name}`);
}
