/**
 * Rows of cells as aligned lines: columns separated by two spaces, no trailing spaces, empty trailing
 * cells dropped.
 */
export function formatTable(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) => {
    let last = row.length - 1;
    while (last >= 0 && row[last] === '') last -= 1;
    return row
      .slice(0, last + 1)
      .map((cell, i) => (i === last ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ');
  });
}

/** `KEY: value` lines with the values aligned, as Heroku prints config vars and app info. */
export function formatKeyValues(entries: [string, string][]): string[] {
  const width = Math.max(0, ...entries.map(([key]) => key.length + 1));
  return entries.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`.trimEnd());
}
