import { z } from 'zod';

/** Resource ids: UUIDs. */
export const id = z.string().uuid();

/** Dates travel as ISO 8601 strings (`Date#toJSON`). */
export const timestamp = z.string().datetime({ offset: true }).describe('ISO 8601 date-time');

/** Every error answer: a stable code and a human message, with a 4xx/5xx status. */
export const errorSchema = z
  .object({
    id: z.string().describe('A stable error code, e.g. quota_exceeded'),
    message: z.string(),
  })
  .passthrough();

export const userRef = z.object({ id: id.optional(), email: z.string() });

/** An answer that only says what happened. */
export const messageSchema = z.object({ message: z.string() });

export type ApiErrorBody = z.infer<typeof errorSchema>;
