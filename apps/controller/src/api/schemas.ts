/**
 * The API's resources as zod schemas. The response bodies are the wire contract shared with the CLI
 * (`@paas/shared/api-contract`): they document the responses in /openapi.json, and in tests every
 * JSON answer of the route table is checked against them (route-table.ts, `checkResponses`).
 */
import { z } from 'zod';
import { appNameRule } from '@paas/shared';

export {
  accountSchema,
  appInfoSchema,
  appSchema,
  auditEventSchema,
  authorizationSchema,
  buildSchema,
  buildWithOutputSchema,
  collaboratorSchema,
  configVarsSchema,
  dynoSchema,
  errorSchema,
  formationEntrySchema,
  quotaSchema,
  releaseSchema,
  sessionSchema,
  userRef,
  userSchema,
} from '@paas/shared/api-contract';

/** App names: `isValidAppName` as a schema (also forbidding `--`). */
export const appName = z
  .string({ required_error: 'is required' })
  .regex(/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/, appNameRule)
  .refine((s) => !s.includes('--'), appNameRule);
