import { AppError } from '@paas/shared';

/**
 * Heroku's list pagination (Platform API v3): the client asks with `Range: <field> <start>..<end>;
 * max=<n>, order=asc|desc`, the server answers 206 with `Next-Range: ]<last>..; max=<n>` when more
 * items follow, and the client sends that value back as its next `Range`. A start written `]x` means
 * "after x". paas's own `?limit=&cursor=` pagination (pagination.ts) is the same walk: on a paginated
 * route the start is the cursor of a `Next-Cursor` header, so one Next-Range is one Next-Cursor.
 */
export interface RangeRequest {
  field: string;
  /** Where the page starts; undefined: the first page. */
  start: string | undefined;
  /** `]start`: after start, not at it. */
  exclusive: boolean;
  max: number;
  order: 'asc' | 'desc' | undefined;
}

/** Heroku answers at most 1000 items a page; its default is 200. */
export const rangeMaxLimit = 1000;
export const rangeDefaultMax = 200;
const headerMax = 1024;

function refuse(why: string): AppError {
  return new AppError('requested_range_not_satisfiable', `Range: ${why} (expected e.g. "id ..; max=200", or a Next-Range header's value)`);
}

/** Parses a `Range` header; a malformed one is a 416 naming what is wrong, never a guess. */
export function parseRange(header: string): RangeRequest {
  if (header.length > headerMax) throw refuse(`longer than ${headerMax} characters`);
  // Heroku's CLI writes `id ..; max=1000;` and `version ..; order=desc,max=1` as well as the documented form.
  // The start ends at the first `..` (a hostname start holds single dots).
  const m = /^\s*([a-z_]{1,40})\s+(\]?)([^\s;,]*?)\.\.([^\s;,]*)\s*(?:;(.*))?$/.exec(header);
  if (!m) throw refuse('is not of the form "<field> <start>..<end>; max=<n>"');
  const [, field, bracket, start, , options = ''] = m;
  let max = rangeDefaultMax;
  let order: RangeRequest['order'];
  for (const part of options.split(/[;,]/).map((s) => s.trim()).filter(Boolean)) {
    const kv = /^(max|order)=(\S{1,20})$/.exec(part);
    if (!kv) throw refuse(`unknown option ${JSON.stringify(part.slice(0, 40))}`);
    if (kv[1] === 'max') {
      if (!/^\d{1,7}$/.test(kv[2]!)) throw refuse('max must be a whole number');
      max = Number(kv[2]);
      if (max < 1 || max > rangeMaxLimit) throw refuse(`max must be between 1 and ${rangeMaxLimit}`);
    } else {
      if (kv[2] !== 'asc' && kv[2] !== 'desc') throw refuse('order must be asc or desc');
      order = kv[2];
    }
  }
  if (start && !/^[A-Za-z0-9_~@:+.*-]{1,512}$/.test(start)) throw refuse('the start is not a value this API hands out');
  return { field: field!, start: start || undefined, exclusive: bracket === ']', max, order };
}

/** The `Next-Range` value that continues after `last`. */
export function nextRange(range: Pick<RangeRequest, 'field' | 'max' | 'order'>, last: string): string {
  return `${range.field} ]${last}..; max=${range.max}${range.order ? `, order=${range.order}` : ''}`;
}

/**
 * One page of a whole list held in memory (the short, bounded lists: domains, formation, add-ons…),
 * walked by `field` in ascending order (descending with `order=desc`). Items without that field as a
 * string or number cannot be ranged by it: 416.
 */
export function rangeOf<T>(items: T[], range: RangeRequest): { items: T[]; next?: string } {
  if (items.length === 0) return { items };
  const key = (item: T): string => {
    const v = (item as Record<string, unknown>)[range.field];
    if (typeof v === 'number') return String(v).padStart(20, '0');
    if (typeof v === 'string') return v;
    throw refuse(`this list cannot be ranged by ${range.field}`);
  };
  const desc = range.order === 'desc';
  const startKey = range.start === undefined ? undefined : /^\d+$/.test(range.start) && typeof (items[0] as Record<string, unknown>)[range.field] === 'number' ? range.start.padStart(20, '0') : range.start;
  const sorted = items.map((item) => ({ item, k: key(item) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0) * (desc ? -1 : 1));
  const from = startKey === undefined
    ? sorted
    : sorted.filter(({ k }) => (desc ? (range.exclusive ? k < startKey : k <= startKey) : range.exclusive ? k > startKey : k >= startKey));
  const pageItems = from.slice(0, range.max);
  if (from.length <= range.max) return { items: pageItems.map((e) => e.item) };
  const last = (pageItems[pageItems.length - 1]!.item as Record<string, unknown>)[range.field];
  return { items: pageItems.map((e) => e.item), next: nextRange(range, String(last)) };
}
