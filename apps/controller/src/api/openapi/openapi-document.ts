import { z } from 'zod';
import { errorStatus } from '@paas/shared';
import { policy, type Action } from '../../auth/policy.js';
import { nextCursorHeader } from '../pagination.js';
import type { RouteSpec } from '../route-table.js';
import { errorSchema } from '../schemas.js';
import { isOptional, toJsonSchema, type SchemaObject } from './zod-json-schema.js';

const paginationText =
  'Lists are paginated: `limit` items per page (default 100, at most 1000); when more follow, the response has a ' +
  '`Next-Cursor` header, whose value passed as `cursor` fetches the next page. Bodies stay plain JSON arrays.';

const description = [
  'The paas controller API, after the Heroku Platform API.',
  '',
  'Authenticate with `Authorization: Bearer <token>`: a session token from `POST /auth/login`, or an API token (`paas_…`) from `POST /account/authorizations`.',
  "Errors are JSON `{\"id\": \"quota_exceeded\", \"message\": \"…\"}` with a real HTTP status. Every response carries a `Request-Id` header. Request bodies are JSON, at most 1 MB.",
  'Apps you may not see answer 404, as if they did not exist.',
  '',
  paginationText,
].join('\n');

/** Express `:param` paths as OpenAPI `{param}` templates. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function whoMay(action: Action): string {
  if (action === 'public') return 'Public.';
  if (action === 'hook') return "Only the platform's git hooks (x-paas-hook-token).";
  const subjects = (policy[action] as readonly string[]).filter((s) => s !== 'anonymous');
  return `Allowed: ${subjects.join(', ')}.`;
}

function errorResponse(code: keyof typeof errorStatus | string): SchemaObject {
  return { description: code, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

function operation(spec: RouteSpec): SchemaObject {
  const parameters: SchemaObject[] = [];
  for (const [, name] of spec.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const text = name === 'app' ? 'The app name' : (spec.params?.[name!] ?? name);
    parameters.push({ name, in: 'path', required: true, description: text, schema: { type: 'string' } });
  }
  if (spec.query) {
    if (!(spec.query instanceof z.ZodObject)) throw new Error(`${spec.path}: the query schema must be an object`);
    for (const [name, schema] of Object.entries(spec.query.shape as Record<string, z.ZodTypeAny>)) {
      const s = toJsonSchema(schema);
      const { description: text, ...rest } = s;
      parameters.push({ name, in: 'query', required: !isOptional(schema), ...(text ? { description: text } : {}), schema: rest });
    }
  }
  const status = String(spec.status ?? 200);
  const success: SchemaObject = { description: spec.summary };
  if (spec.raw) success['content'] = { [spec.raw.contentType]: { schema: spec.response ? toJsonSchema(spec.response) : { type: 'string' } } };
  else if (spec.response) success['content'] = { 'application/json': { schema: toJsonSchema(spec.response) } };
  if (spec.paginated) {
    success['headers'] = {
      [nextCursorHeader]: { description: 'Present when more items follow: pass it as `cursor`.', schema: { type: 'string' } },
    };
  }
  const responses: SchemaObject = { [status]: success };
  if (spec.action !== 'public') responses['401'] = errorResponse('unauthorized or invalid_authorization');
  if (spec.action === 'admin' || spec.action.startsWith('app:')) responses['403'] = errorResponse('forbidden or quota_exceeded');
  if (spec.action.startsWith('app:')) responses['404'] = errorResponse('app_not_found');
  responses['400'] = errorResponse(spec.body ? 'invalid_path, invalid_body (a broken gzip, deflate or br body) or nesting_too_deep (arrays and objects more than 64 deep)' : 'invalid_path');
  if (spec.body) responses['415'] = errorResponse('unsupported_media_type: bodies are application/json in UTF-8');
  if (spec.body || spec.query) responses['422'] = errorResponse('invalid_params, invalid_characters, reserved_key or limit_exceeded');
  if (spec.path === '/auth/login') responses['429'] = errorResponse('rate_limited (see Retry-After)');

  const op: SchemaObject = {
    operationId: `${spec.method}${spec.path.replace(/[/:]+([a-z])/g, (_m, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
    summary: spec.summary,
    description: [spec.description, whoMay(spec.action), spec.paginated ? paginationText : undefined].filter(Boolean).join('\n\n'),
    tags: [spec.tag],
    parameters,
    responses,
    'x-paas-action': spec.action,
  };
  if (spec.action === 'public' || spec.action === 'hook') op['security'] = [];
  if (spec.body) {
    op['requestBody'] = {
      required: true,
      content: { 'application/json': { schema: toJsonSchema(spec.body), ...(spec.example === undefined ? {} : { example: spec.example }) } },
    };
  }
  return op;
}

/** The OpenAPI 3 document of every route in the table, generated from the same zod schemas that validate requests. */
export function openApiDocument(specs: RouteSpec[], info: { version: string; serverUrl: string }): SchemaObject {
  const paths: Record<string, Record<string, SchemaObject>> = {};
  for (const spec of specs) {
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    paths[path]![spec.method] = operation(spec);
  }
  return {
    openapi: '3.0.3',
    info: { title: 'paas API', version: info.version, description },
    servers: [{ url: info.serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A session token or an API token (paas_…)' } },
      schemas: { Error: toJsonSchema(errorSchema) },
    },
    paths,
  };
}
