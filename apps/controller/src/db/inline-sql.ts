/**
 * Statements sent together as ONE simple query (one round trip) cannot take parameters: their values
 * are written into the text. Only values the caller has validated belong here (uuids, numbers,
 * process types checked against their pattern, JSON made of those), and as a second guard a string
 * holding a quote, a backslash or a NUL is refused outright rather than escaped, so no value can end
 * its literal whatever `standard_conforming_strings` says. Anything else goes as a parameter of its
 * own query.
 */
export type InlineValue = string | number | boolean | null | undefined | readonly (string | number)[] | Record<string, unknown>;

const unsafe = /['\\\0]/;

/** `value` as an SQL literal; throws for a string that could leave its quotes. */
export function sqlLiteral(value: InlineValue): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') {
    if (unsafe.test(value)) throw new Error('refusing to inline a string holding a quote, a backslash or a NUL');
    return `'${value}'`;
  }
  if (Array.isArray(value)) return value.length ? `ARRAY[${value.map((v) => sqlLiteral(v)).join(', ')}]` : `'{}'`;
  return sqlLiteral(JSON.stringify(value));
}

/** `sql` with its `$n` placeholders replaced by the literals of `params` (the text must hold no other `$`). */
export function inlineParams(sql: string, params: readonly InlineValue[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`no parameter $${n}`);
    return sqlLiteral(params[i]);
  });
}
