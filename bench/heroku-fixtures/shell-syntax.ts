/**
 * Just enough of bash's syntax to read shunit2 test functions: statements (a newline or `;` outside
 * quotes, `$(...)` and `${...}` ends one; a backslash-newline continues it; `#` at a word's start
 * comments out the rest of the line; a here-document's lines belong to its statement) and words (split
 * at unquoted blanks, quotes kept, so that bash itself can evaluate them later).
 */

export interface Statement {
  /** The statement's text as written (here-document included), for bash to run. */
  text: string;
  /** Its words, quotes kept; a here-document's body is not among them. */
  words: string[];
  /** The here-document's body, when it has one. */
  heredoc?: string;
  /** 1-based line number of its first line within the text parsed. */
  line: number;
}

/** Splits a function body (or any script) into statements. */
export function splitStatements(text: string, firstLine = 1): Statement[] {
  const out: Statement[] = [];
  let i = 0;
  let line = firstLine;
  while (i < text.length) {
    const start = i;
    const startLine = line;
    const words: string[] = [];
    let word: string | undefined;
    let heredocDelimiter: string | undefined;
    const endWord = (): void => {
      if (word !== undefined) words.push(word);
      word = undefined;
    };
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\' && text[i + 1] === '\n') {
        i++;
        line++;
        continue;
      }
      if (c === '\n' || c === ';') break;
      if (c === ' ' || c === '\t') {
        endWord();
        continue;
      }
      if (c === '#' && word === undefined) {
        while (i < text.length && text[i] !== '\n') i++;
        break;
      }
      const end = skipToken(text, i);
      const token = text.slice(i, end);
      line += countNewlines(token);
      word = (word ?? '') + token;
      i = end - 1;
      if (word.startsWith('<<')) heredocDelimiter = word;
    }
    endWord();
    const textEnd = i;
    let heredoc: string | undefined;
    if (text[i] === '\n' || text[i] === ';') {
      if (text[i] === '\n') line++;
      i++;
    }
    const hd = heredocDelimiter !== undefined ? words.findIndex((w) => w.startsWith('<<')) : -1;
    if (hd >= 0) {
      const rest = words[hd]!.replace(/^<<-?/, '');
      const delimiter = unquote(rest !== '' ? rest : (words[hd + 1] ?? ''));
      words.splice(hd, rest !== '' ? 1 : 2);
      const body: string[] = [];
      while (i < text.length) {
        const nl = text.indexOf('\n', i);
        const l = text.slice(i, nl < 0 ? text.length : nl);
        i = nl < 0 ? text.length : nl + 1;
        line++;
        if (l.trim() === delimiter) break;
        body.push(l);
      }
      heredoc = body.join('\n');
    }
    if (words.length > 0) out.push({ text: text.slice(start, heredoc === undefined ? textEnd : i).trimEnd(), words, heredoc, line: startLine });
  }
  return out;
}

/** The end (exclusive) of the token starting at `i`: a quoted string, a `$(...)`/`${...}`/`$((...))`, or one character. */
function skipToken(text: string, i: number): number {
  const c = text[i]!;
  if (c === "'") {
    const end = text.indexOf("'", i + 1);
    return end < 0 ? text.length : end + 1;
  }
  if (c === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\') j += 2;
      else if (text[j] === '$' && (text[j + 1] === '(' || text[j + 1] === '{')) j = skipToken(text, j);
      else if (text[j] === '`') j = skipBackquote(text, j);
      else j++;
    }
    return Math.min(j + 1, text.length);
  }
  if (c === '\\') return Math.min(i + 2, text.length);
  if (c === '`') return skipBackquote(text, i);
  if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
    const open = text[i + 1]!;
    const close = open === '(' ? ')' : '}';
    let depth = 0;
    let j = i + 1;
    while (j < text.length) {
      const d = text[j]!;
      if (d === open) depth++;
      else if (d === close) {
        depth--;
        if (depth === 0) return j + 1;
      } else if (d === "'" || d === '"' || d === '\\' || d === '`') {
        j = skipToken(text, j);
        continue;
      } else if (d === '$' && (text[j + 1] === '(' || text[j + 1] === '{')) {
        j = skipToken(text, j);
        continue;
      }
      j++;
    }
    return text.length;
  }
  return i + 1;
}

function skipBackquote(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '`') j += text[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, text.length);
}

function countNewlines(s: string): number {
  let n = 0;
  for (const c of s) if (c === '\n') n++;
  return n;
}

/**
 * The value of a word that has no expansions (quotes removed, backslash escapes applied); undefined
 * when it has any (`$`, backquotes, globs), since only bash can say what those give.
 */
export function unquote(word: string): string | undefined {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (c === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) return undefined;
      out += word.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < word.length && word[j] !== '"'; j++) {
        const d = word[j]!;
        if (d === '$' || d === '`') return undefined;
        if (d === '\\' && '$`"\\\n'.includes(word[j + 1] ?? '')) {
          out += word[j + 1];
          j++;
        } else out += d;
      }
      if (j >= word.length) return undefined;
      i = j;
    } else if (c === '\\') {
      out += word[i + 1] ?? '';
      i++;
    } else if (c === '$' || c === '`' || c === '*' || c === '?' || c === '[') {
      return undefined;
    } else out += c;
  }
  return out;
}

/** The variable a word names and nothing else (`$x`, `${x}`, `"$x"`, `"${x}"`), or undefined. */
export function variableOf(word: string): string | undefined {
  const m = /^("?)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))\1$/.exec(word);
  return m ? (m[2] ?? m[3]) : undefined;
}

/** `name=value` (an assignment word): its name, or undefined. */
export function assignmentName(word: string): string | undefined {
  return /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(word)?.[1];
}
