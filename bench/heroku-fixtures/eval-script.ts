import type { FileProbe } from './assertions.js';

/**
 * The bash scripts the runner runs in a build container (as the paas user) to do what a test does
 * between builds: its directory variables point where the container has them, its shell state
 * (assignments, exports, executeStartup) is replayed, and an assertion's words are evaluated by bash
 * itself and sent back base64-encoded, with what the container says about the file it names.
 */

/** The test's variables and the few helpers of Heroku's run-helpers that tests call between builds. */
function header(paths: Record<string, string>, exitCode: number | undefined): string {
  const vars = Object.entries(paths).map(([k, v]) => `${k}=${quote(v)}`);
  if (exitCode !== undefined) vars.push(`RETURN=${exitCode}`, `rtrn=${exitCode}`);
  return [
    ...vars,
    'compile_dir=/app',
    'bp_dir=/buildpacks/nodejs',
    'mktmpdir() { mktemp -d; }',
    // what executeStartup does for a dyno: HOME is the app, ENV_DIR's variables exported, .profile.d sourced
    'executeStartup() {',
    '  export HOME="$compile_dir"; local __f __n',
    '  if [ -n "$1" ] && [ -d "$1" ]; then for __f in "$1"/*; do [ -f "$__f" ] || continue; __n=${__f##*/}',
    '    case "$__n" in PATH|GIT_DIR|CPATH|CPPATH|LD_PRELOAD|LIBRARY_PATH|LANG|BUILD_DIR) continue ;; esac',
    '    export "$__n=$(cat "$__f")"; done; fi',
    '  for __f in "$compile_dir"/.profile.d/*; do if [ -f "$__f" ]; then . "$__f" >/dev/null 2>&1; fi; done; return 0',
    '}',
    'cleanupStartup() { unset HOME NODE_ENV NODE_HOME NODE_OPTIONS DYNO HEROKU_METRICS_URL HEROKU_SKIP_NODE_PLUGIN; }',
  ].join('\n');
}

/** State statements, their output dropped. */
function replay(prelude: readonly string[]): string {
  return prelude.map((s) => `{ ${s.trim()}\n} >/dev/null 2>&1`).join('\n');
}

export function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** bash -c script that sets up the test's exports, then runs its arguments (a build script). */
export function buildWrapper(paths: Record<string, string>, prelude: readonly string[]): string {
  return [`__case() {`, header(paths, undefined), replay(prelude), `}`, `__case >/dev/null 2>&1`, `exec "$@"`].join('\n');
}

/** bash -c script running one command of the test once, after its state. */
export function shellScript(paths: Record<string, string>, prelude: readonly string[], text: string, exitCode: number | undefined): string {
  return [`__case() {`, header(paths, exitCode), replay(prelude), text.trim(), `}`, `__case`].join('\n');
}

export type EvalItem = { kind: 'state'; text: string } | { kind: 'assert'; index: number; words: string[]; file?: number };

/**
 * bash -c script printing, for each assertion, a line `INDEX<TAB>WORDS<TAB>FLAGS<TAB>CONTENT`: its
 * words (each `-` and its base64), whether the file it names exists (E) and is a directory (D), and
 * that file's content (base64, the first 4 MB).
 */
export function assertScript(paths: Record<string, string>, prelude: readonly string[], items: readonly EvalItem[], exitCode: number | undefined): string {
  const lines = [
    '__emit() { for __w in "$@"; do printf -- "-%s " "$(printf "%s" "$__w" | base64 -w0)"; done; }',
    '__probe() { [ -e "$1" ] && printf E; [ -d "$1" ] && printf D; printf "\\t"; if [ -f "$1" ] && [ -r "$1" ]; then head -c 4194304 "$1" | base64 -w0; fi; }',
    '__case() {',
    header(paths, exitCode),
    replay(prelude),
  ];
  for (const item of items) {
    if (item.kind === 'state') {
      lines.push(replay([item.text]));
      continue;
    }
    const file = item.file === undefined ? '' : item.file < 0 ? '"${@: -1}"' : `"\${${item.file + 1}}"`;
    lines.push(`set -- ${item.words.join(' ')}`, `printf '%d\\t' ${item.index}; __emit "$@"; printf '\\t'; ${file ? `__probe ${file}` : `printf '\\t'`}; printf '\\n'`);
  }
  lines.push('}', '__case');
  return lines.join('\n');
}

export interface Evaluated {
  words: string[];
  probe?: FileProbe;
}

/** The assertions' words and file probes from what assertScript printed, by index. */
export function parseAssertOutput(out: string, withProbe: ReadonlySet<number>): Map<number, Evaluated> {
  const result = new Map<number, Evaluated>();
  for (const line of out.split('\n')) {
    const m = /^(\d+)\t([^\t]*)\t([^\t]*)\t(.*)$/.exec(line);
    if (!m) continue;
    const index = Number(m[1]);
    const words = m[2]!
      .split(' ')
      .filter((w) => w.startsWith('-'))
      .map((w) => Buffer.from(w.slice(1), 'base64').toString('utf8'));
    const flags = m[3]!;
    const probe: FileProbe | undefined = withProbe.has(index)
      ? { exists: flags.includes('E'), directory: flags.includes('D'), content: flags.includes('E') && !flags.includes('D') ? Buffer.from(m[4]!, 'base64') : undefined }
      : undefined;
    result.set(index, { words, probe });
  }
  return result;
}
