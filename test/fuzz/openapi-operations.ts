// The operations the fuzzer attacks, read from the controller's own /openapi.json (built from
// apps/controller/src/api/route-table.ts): a new route is fuzzed the day it is declared.

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
};

export interface Operation {
  method: string;
  /** The OpenAPI path, `/apps/{app}/config-vars`. */
  template: string;
  /** Path parameters in order. */
  params: string[];
  query: { name: string; schema: JsonSchema }[];
  body: JsonSchema | undefined;
  /** x-paas-action: public, app:read, admin, … */
  action: string;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: JsonSchema }[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; 'x-paas-action'?: string }>>;
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        template,
        params: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema,
        action: op['x-paas-action'] ?? 'unknown',
      });
    }
  }
  return ops.sort((a, b) => `${a.template} ${a.method}`.localeCompare(`${b.template} ${b.method}`));
}
