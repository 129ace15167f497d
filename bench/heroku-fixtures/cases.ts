import { helpers, metricsHelpers } from './assertions.js';
import { assignmentName, splitStatements, unquote, variableOf, type Statement } from './shell-syntax.js';

/** A directory argument of a build step: a directory variable of the test, or a new empty one. */
export type DirArg = { var: string } | { fresh: true };

/** What a build step runs: bin/compile (after bin/detect, then bin/release, as the builder does), or one script alone. */
export type BuildKind = 'compile' | 'detect' | 'release';

export type Step =
  | { kind: 'build'; build: BuildKind; fixture: string; cache?: DirArg; env?: DirArg; buildDir?: DirArg; line: number; text: string }
  /** An assertion helper and its words, still to be evaluated by bash. */
  | { kind: 'assert'; helper: string; words: string[]; line: number; text: string }
  /** An assertion the runner leaves unchecked (Heroku's metrics file), with why. */
  | { kind: 'unchecked'; helper: string; reason: string; line: number; text: string }
  /** Shell state replayed before every later evaluation: assignments, `local`, `export`, `unset`, executeStartup. */
  | { kind: 'state'; line: number; text: string }
  /** A command run once, at its place (writing an ENV_DIR file, removing part of the cache). */
  | { kind: 'shell'; line: number; text: string };

/** One shunit2 test function. */
export interface FixtureCase {
  /** The run-* file it comes from. */
  file: string;
  name: string;
  line: number;
  steps: Step[];
  /** Its directory variables (`x=$(mktmpdir)`). */
  dirs: string[];
  /** Why the runner cannot run it, when it cannot. */
  skip?: string;
}

/** Commands a test may run that are not builds the runner can make, and why. */
const unsupported: Record<string, string> = {
  compileTest: 'runs bin/test-compile and bin/test (Heroku CI), which paas has no equivalent of',
  testCompile: 'runs bin/test-compile (Heroku CI), which paas has no equivalent of',
  compile_and_report: 'runs bin/report, which paas does not run',
  report: 'runs bin/report, which paas does not run',
  compileDir: 'compiles a build directory the test prepared itself (copied from the checkout)',
  capture: 'runs a buildpack file directly, not a build',
};

/** Commands replayed as shell state before each evaluation. */
const stateCommands = new Set(['local', 'export', 'unset', 'executeStartup', 'cleanupStartup', 'declare', 'readonly']);
/** Commands run once where they stand. */
const shellCommands = new Set(['echo', 'printf', 'rm', 'mkdir', 'touch', 'cp', 'mv', 'chmod', 'ln', 'true', ':']);

const mktmpdir = /^"?\$\(mktmpdir\)"?$/;

/** The test functions (`testX() { ... }`) of one shunit2 file, each as a case. */
export function parseTestFile(text: string, file: string): FixtureCase[] {
  const cases: FixtureCase[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:function\s+)?(test[A-Za-z0-9_]*)\s*\(\)\s*\{\s*$/.exec(lines[i]!);
    if (!m) continue;
    // the body ends at a `}` line in the first column, or at the last `}` line before the next function
    let end = i + 1;
    let lastBrace = -1;
    while (end < lines.length && lines[end] !== '}') {
      if (/^\s*\}\s*$/.test(lines[end]!)) lastBrace = end;
      if (/^\s*(?:function\s+)?[A-Za-z_][A-Za-z0-9_]*\s*\(\)\s*\{/.test(lines[end]!) && lastBrace > i) {
        end = lastBrace;
        break;
      }
      end++;
    }
    cases.push(parseCase(file, m[1]!, i + 1, lines.slice(i + 1, end).join('\n')));
    i = end;
  }
  return cases;
}

/** One test function's body as a case. */
export function parseCase(file: string, name: string, line: number, body: string): FixtureCase {
  const c: FixtureCase = { file, name, line, steps: [], dirs: [] };
  for (const st of splitStatements(body, line + 1)) {
    const why = addStatement(c, st);
    if (why !== undefined) {
      c.skip ??= `line ${st.line}: ${why}`;
    }
  }
  if (c.skip === undefined && !c.steps.some((s) => s.kind === 'build')) c.skip = 'runs no build';
  return c;
}

/** Adds a statement's step; returns why the case cannot run, if the statement makes it so. */
function addStatement(c: FixtureCase, st: Statement): string | undefined {
  const { words, line, text } = st;
  // `x=$(mktmpdir)` or `local x=$(mktmpdir)`: a directory of the test
  const declared = words[0] === 'local' && words.length === 2 ? words[1]! : words.length === 1 ? words[0]! : undefined;
  const dirName = declared !== undefined ? assignmentName(declared) : undefined;
  if (dirName !== undefined && mktmpdir.test(declared!.slice(dirName.length + 1))) {
    if (!c.dirs.includes(dirName)) c.dirs.push(dirName);
    return undefined;
  }
  const commandAt = words.findIndex((w) => assignmentName(w) === undefined);
  if (commandAt < 0) {
    c.steps.push({ kind: 'state', line, text });
    return undefined;
  }
  const command = words[commandAt]!;
  if (command in unsupported) return `\`${command}\` ${unsupported[command]}`;
  if (commandAt > 0) return `\`${command}\` with variables set for it alone is not supported`;
  if (command === 'compile' || command === 'detect' || command === 'release') return addBuild(c, st, command);
  if (metricsHelpers.has(command)) {
    c.steps.push({ kind: 'unchecked', helper: command, reason: "reads Heroku's build metrics file, which paas does not write", line, text });
    return undefined;
  }
  if (command in helpers) {
    c.steps.push({ kind: 'assert', helper: command, words: words.slice(1), line, text });
    return undefined;
  }
  if (command.startsWith('assert') || command === 'fail') return `assertion helper \`${command}\` is not supported`;
  if (stateCommands.has(command)) {
    c.steps.push({ kind: 'state', line, text });
    return undefined;
  }
  if (shellCommands.has(command)) {
    if (/(^|[\s"'])test\/fixtures\//.test(text)) return 'reads the checkout\'s files from the test itself';
    c.steps.push({ kind: 'shell', line, text });
    return undefined;
  }
  return `command \`${command}\` is not supported`;
}

function addBuild(c: FixtureCase, st: Statement, build: BuildKind): string | undefined {
  const args = st.words.slice(1);
  const fixture = unquote(args[0] ?? '');
  if (fixture === undefined || fixture === '' || fixture.includes('/')) return `${build}: the fixture must be a plain name (got ${args[0] ?? 'none'})`;
  const dirArg = (word: string | undefined, what: string): DirArg | string | undefined => {
    if (word === undefined) return undefined;
    if (mktmpdir.test(word)) return { fresh: true };
    const v = variableOf(word);
    if (v !== undefined && c.dirs.includes(v)) return { var: v };
    return `${build}: its ${what} argument ${word} is not a directory made by mktmpdir`;
  };
  const max = build === 'compile' ? 4 : 1;
  if (args.length > max) return `${build} with ${args.length} arguments is not supported`;
  const cache = dirArg(args[1], 'cache');
  const env = dirArg(args[2], 'env');
  const buildDir = dirArg(args[3], 'build');
  for (const d of [cache, env, buildDir]) if (typeof d === 'string') return d;
  c.steps.push({
    kind: 'build',
    build,
    fixture,
    cache: cache as DirArg | undefined,
    env: env as DirArg | undefined,
    buildDir: buildDir as DirArg | undefined,
    line: st.line,
    text: st.text,
  });
  return undefined;
}

/**
 * Where each directory variable of a case is in the container of a build step: its cache at /cache,
 * its ENV_DIR at /env, its build directory at /app; every other one under /tmp/dirs/. Commands
 * before a build run in that build's container, so a path written into an ENV_DIR file means the
 * same to the build.
 */
export function containerPaths(c: FixtureCase, step: Extract<Step, { kind: 'build' }>): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const d of c.dirs) paths[d] = `/tmp/dirs/${d}`;
  const role = (arg: DirArg | undefined, path: string): void => {
    if (arg && 'var' in arg) paths[arg.var] = path;
  };
  role(step.cache, '/cache');
  role(step.env, '/env');
  role(step.buildDir, '/app');
  return paths;
}
