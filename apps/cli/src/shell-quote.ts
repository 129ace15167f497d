/** One word for a POSIX shell, in single quotes (for the credential helper line git runs with sh). */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
