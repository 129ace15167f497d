import { z } from 'zod';

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** NUL or a lone UTF-16 surrogate: never valid in anything the API stores or looks up. */
export function hasForbiddenCharacter(s: string): boolean {
  return s.includes('\u0000') || loneSurrogate.test(s);
}

/** C0 and C1 control characters and DEL: line breaks, tabs, terminal escapes. */
export const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/** No control character at all (for `z.string().regex`). */
export const noControlCharacters = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** Control characters other than tab and newline (config values may be multi-line, e.g. PEM keys). */
export const controlCharactersButTabAndNewline = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** The zod issue params that make validate() answer 422 invalid_characters rather than invalid_params. */
export const invalidCharactersIssue = { id: 'invalid_characters' } as const;
/** The zod issue params that make validate() answer 422 limit_exceeded. */
export const limitExceededIssue = { id: 'limit_exceeded' } as const;

/**
 * A one-line text shown back to users (a token description): printable characters only, at most
 * `max` characters; CR, LF, tabs and terminal escapes are refused, never echoed.
 */
export function singleLineText(max: number) {
  return z
    .string()
    .max(max)
    .refine((s) => noControlCharacters.test(s), { message: 'must not contain control characters (line breaks, tabs, escapes)', params: invalidCharactersIssue });
}
