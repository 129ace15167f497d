import type { Response } from 'express';
import { z } from 'zod';
import { AppError } from '@paas/shared';

/**
 * Lists are paginated with `?limit=N&cursor=C`: a page holds at most `limit` items (default 100, at
 * most 1000), and when more follow, the response carries a `Next-Cursor` header whose value, passed
 * as `cursor`, fetches the next page. The body stays a plain JSON array.
 */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Items per page (1 to 1000).'),
  cursor: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9_-]*$/, 'is not a cursor from a Next-Cursor header')
    .optional()
    .describe('The Next-Cursor header of the previous page.'),
});

export type PageQuery = z.infer<typeof pageQuery>;

export const nextCursorHeader = 'Next-Cursor';

/** The position a cursor names (what `cursorOf` gave for the last item of the previous page). */
export function cursorValue(query: { cursor?: string | undefined }): string | undefined {
  if (query.cursor === undefined || query.cursor === '') return undefined;
  const value = Buffer.from(query.cursor, 'base64url').toString('utf8');
  // The round trip refuses bytes that are not UTF-8; a NUL or control character never names a position.
  if (!value || /[\u0000-\u001f\u007f]/.test(value) || Buffer.from(value, 'utf8').toString('base64url') !== query.cursor) {
    throw new AppError('invalid_params', 'cursor: is not a cursor from a Next-Cursor header');
  }
  return value;
}

/**
 * The page to answer from `rows` fetched with `limit + 1`: sets `Next-Cursor` when there is more.
 */
export function page<T>(res: Response, rows: T[], limit: number, cursorOf: (last: T) => string): T[] {
  if (rows.length <= limit) return rows;
  const items = rows.slice(0, limit);
  res.setHeader(nextCursorHeader, Buffer.from(cursorOf(items[items.length - 1]!), 'utf8').toString('base64url'));
  return items;
}
