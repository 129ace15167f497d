import { createHash } from 'node:crypto';

/** What one build step left: its stdout, stderr and exit code, as shunit2's `capture` keeps them. */
export interface Captured {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What the build container says about the file an assertion names. */
export interface FileProbe {
  exists: boolean;
  directory: boolean;
  /** The content of a regular file. */
  content?: Buffer;
}

interface Helper {
  /** Which of its words names a file to probe in the build container: its index, -1 for the last. */
  file?: number;
  /** A failure message, or undefined when the assertion holds. */
  check(words: string[], c: Captured, probe: FileProbe | undefined): string | undefined;
}

/** Heroku's metrics assertions: they read the buildpack's own metrics file, which paas does not write. */
export const metricsHelpers = new Set(['assertMetrics', 'assertMetricEqualsString', 'assertMetricEqualsRaw']);

/** `grep -F -e needle`: some line holds one of the needle's lines. */
export function grepFixed(haystack: string, needle: string): boolean {
  if (haystack === '') return false;
  const lines = haystack.split('\n');
  if (haystack.endsWith('\n')) lines.pop();
  return needle.split('\n').some((n) => lines.some((l) => l.includes(n)));
}

/** A POSIX basic regular expression as a JavaScript one (`+ ? ( ) { } |` are literal unless escaped). */
export function basicRegExp(bre: string, flags = 'g'): RegExp {
  let out = '';
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i]!;
    if (c === '\\' && i + 1 < bre.length) {
      const d = bre[++i]!;
      out += '(){}|+?'.includes(d) ? d : `\\${d}`;
    } else if ('(){}|+?/'.includes(c)) out += `\\${c}`;
    else if (c === '[') {
      const end = bre.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        out += bre.slice(i, end + 1).replace(/\\/g, '\\\\');
        i = end;
      }
    } else out += c;
  }
  return new RegExp(out, flags);
}

/** How many times `grep --only-matching` finds a basic regular expression, line by line. */
export function countMatches(haystack: string, bre: string): number {
  const re = basicRegExp(bre);
  let n = 0;
  for (const line of haystack.split('\n')) for (const m of line.matchAll(re)) if (m[0] !== '') n++;
  return n;
}

/** shunit2's optional leading message: with `n + 1` words, the first is the message. */
function split(words: string[], n: number): { message?: string; args: string[] } {
  return words.length > n ? { message: words[0], args: words.slice(1) } : { args: words };
}

function contains(stream: 'stdout' | 'stderr', expect: boolean): Helper {
  return {
    check(words, c) {
      const { message, args } = split(words, 1);
      const needle = args[0] ?? '';
      if (grepFixed(c[stream], needle) === expect) return undefined;
      return message ?? `${expect ? 'Expected' : 'Did not expect'} ${stream} to contain <${needle}>`;
    },
  };
}

function fileContains(expect: boolean): Helper {
  return {
    file: -1,
    check(words, _c, probe) {
      const { message, args } = split(words, 2);
      const [needle = '', file = ''] = args;
      // grep on a missing file fails either way (exit 2)
      if (probe?.content === undefined) return message ?? `${file} is not a readable file`;
      if (grepFixed(probe.content.toString('utf8'), needle) === expect) return undefined;
      return message ?? `${expect ? 'Expected' : 'Did not expect'} <${file}> to contain <${needle}>`;
    },
  };
}

function equality(expect: boolean): Helper {
  return {
    check(words) {
      const { message, args } = split(words, 2);
      const [expected = '', actual = ''] = args;
      if ((expected === actual) === expect) return undefined;
      return `${message ? `${message} ` : ''}${expect ? `expected:<${expected}> but was:<${actual}>` : `expected not same:<${expected}>`}`;
    },
  };
}

const exitCode = (c: Captured): string => `Expected captured exit code to be 0; was <${c.exitCode}>`;

/** The assertion helpers of Heroku's test/utils and shunit2 that the runner checks. */
export const helpers: Record<string, Helper> = {
  assertCaptured: contains('stdout', true),
  assertNotCaptured: contains('stdout', false),
  assertCapturedStderr: contains('stderr', true),
  assertNotCapturedStderr: contains('stderr', false),
  assertCapturedEquals: { check: (w, c) => (c.stdout.replace(/\n+$/, '') === (w.at(-1) ?? '') ? undefined : `Expected stdout to be <${w.at(-1)}>`) },
  assertCapturedNotEquals: { check: (w, c) => (c.stdout.replace(/\n+$/, '') !== (w.at(-1) ?? '') ? undefined : `Did not expect stdout to be <${w.at(-1)}>`) },
  assertCapturedSuccess: {
    check(_w, c) {
      if (c.exitCode !== 0) return exitCode(c);
      if (c.stderr.replace(/\n+$/, '') !== '') return 'Expected STD_ERR to be empty; was <…> (see stderr below)';
      return undefined;
    },
  },
  assertCapturedSuccessWithWarnings: {
    check(_w, c) {
      if (c.exitCode !== 0) return exitCode(c);
      if (c.stderr.replace(/\n+$/, '') === '') return 'Expected STD_ERR to be non-empty (warnings should have been emitted)';
      return undefined;
    },
  },
  assertCapturedError: {
    check(words, c) {
      const code = words.length > 1 ? words[0] : undefined;
      const msg = words.length > 1 ? words[1]! : (words[0] ?? '');
      if (code === undefined && !(c.exitCode > 0)) return `Expected captured exit code to be greater than 0; was <${c.exitCode}>`;
      if (code !== undefined && String(c.exitCode) !== code.trim()) return `Expected captured exit code to be <${code}>; was <${c.exitCode}>`;
      if (msg !== '' && !grepFixed(c.stderr, msg)) return `Expected STD_ERR to contain error <${msg}>`;
      return undefined;
    },
  },
  assertCapturedTimes: {
    check(words, c) {
      const [expected = '', pattern = ''] = words;
      const actual = countMatches(c.stdout, pattern);
      return String(actual) === expected.trim() ? undefined : `Expected '${pattern}' text to appear ${expected} times; it appeared <${actual}> times`;
    },
  },
  assertEquals: equality(true),
  assertNotEquals: equality(false),
  assertFileContains: fileContains(true),
  assertFileNotContains: fileContains(false),
  assertFileContainsMatch: {
    file: -1,
    check(words, _c, probe) {
      const [needle = '', file = ''] = words;
      const text = probe?.content?.toString('utf8');
      if (text !== undefined && text.split('\n').some((l) => new RegExp(needle).test(l))) return undefined;
      return `Expected <${file}> to contain <${needle}>`;
    },
  },
  assertFileExists: { file: 0, check: (w, _c, p) => (p?.exists ? undefined : `${w[0]} doesn't exist`) },
  assertFileDoesNotExist: { file: 0, check: (w, _c, p) => (p?.exists ? `${w[0]} exists` : undefined) },
  assertDirectoryExists: {
    file: 0,
    check: (w, _c, p) => (!p?.exists ? `${w[0]} does not exist` : !p.directory ? `${w[0]} is not a directory` : undefined),
  },
  assertFileMD5: {
    file: 1,
    check(words, _c, probe) {
      const [hash = '', file = ''] = words;
      if (probe?.content === undefined) return `${file} is not a readable file`;
      const actual = createHash('md5').update(probe.content).digest('hex');
      return actual === hash ? undefined : `expected md5 ${hash} of ${file}, was ${actual}`;
    },
  },
};
