/** How deeply a request body's arrays and objects may nest: far beyond any real body, far below a stall. */
export const jsonDepthMax = 64;
/**
 * How many values a request body may hold (array elements and object members, counted as its commas
 * and its arrays and objects): twenty times the largest real body (500 config vars), and few enough
 * that parsing and checking them all stays well under the 50 ms stall budget.
 */
export const jsonValuesMax = 10_000;

const quote = 0x22;
const backslash = 0x5c;
const openers = new Set([0x7b, 0x5b]); // { [
const closers = new Set([0x7d, 0x5d]); // } ]
const comma = 0x2c;

/** What a body is refused for, if anything: too deep, or too many values. */
export type JsonShapeProblem = 'too_deep' | 'too_many_values' | undefined;

/**
 * Whether JSON text (UTF-8 bytes) opens more than `limits.depth` arrays or objects inside one another,
 * or holds more than `limits.values` values: one pass over the raw bytes, before any parse, skipping
 * strings and their escapes (a multi-byte UTF-8 character never holds an ASCII byte). Text that is not
 * JSON is left to the parser to refuse.
 */
export function jsonShapeProblem(bytes: Uint8Array, limits: { depth: number; values: number } = { depth: jsonDepthMax, values: jsonValuesMax }): JsonShapeProblem {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === backslash) i++;
      else if (b === quote) inString = false;
    } else if (b === quote) inString = true;
    else if (b === comma) {
      if (++values > limits.values) return 'too_many_values';
    } else if (openers.has(b)) {
      if (++depth > limits.depth) return 'too_deep';
      if (++values > limits.values) return 'too_many_values';
    } else if (closers.has(b)) depth--;
  }
  return undefined;
}

/** Whether JSON text nests deeper than `max` (jsonShapeProblem's depth alone). */
export function jsonNestsDeeperThan(bytes: Uint8Array, max: number = jsonDepthMax): boolean {
  return jsonShapeProblem(bytes, { depth: max, values: Number.POSITIVE_INFINITY }) === 'too_deep';
}
