/** How deeply a request body's arrays and objects may nest: far beyond any real body, far below a stall. */
export const jsonDepthMax = 64;

const quote = 0x22;
const backslash = 0x5c;
const openers = new Set([0x7b, 0x5b]); // { [
const closers = new Set([0x7d, 0x5d]); // } ]

/**
 * Whether JSON text (UTF-8 bytes) opens more than `max` arrays or objects inside one another: one pass
 * over the raw bytes, before any parse, skipping strings and their escapes (a multi-byte UTF-8
 * character never holds an ASCII byte). Text that is not JSON is left to the parser to refuse.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, max: number = jsonDepthMax): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === backslash) i++;
      else if (b === quote) inString = false;
    } else if (b === quote) inString = true;
    else if (openers.has(b)) {
      if (++depth > max) return true;
    } else if (closers.has(b)) depth--;
  }
  return false;
}
