/**
 * The wire contract between the controller's REST API and its clients (the CLI): every response
 * body as a zod schema, and the TypeScript types inferred from them. The controller declares these
 * as its routes' responses (they document /openapi.json, and in tests every JSON answer is checked
 * against them); the CLI takes its types from here. Bodies are JSON: dates are ISO 8601 strings.
 */
export * from './common.js';
export * from './account.js';
export * from './apps.js';
export * from './releases.js';
export * from './admin.js';
export * from './backing-services.js';
export * from './stacks.js';
export * from './webhooks.js';
export * from './heroku.js';
export * from './heroku-fields.js';
export * from './vulns.js';
