// The Heroku fixture runner's reading of shunit2 tests (bench/heroku-nodejs-fixtures.ts): no Docker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerPaths, parseTestFile, type Step } from '../../bench/heroku-fixtures/cases.js';
import { countMatches, grepFixed, helpers } from '../../bench/heroku-fixtures/assertions.js';
import { assertScript, parseAssertOutput } from '../../bench/heroku-fixtures/eval-script.js';
import { splitStatements, unquote } from '../../bench/heroku-fixtures/shell-syntax.js';

const snippet = `#!/usr/bin/env bash
source "$(pwd)"/test/run-helpers

testCacheAndEnv() {
  cache=$(mktmpdir)
  local env_dir=$(mktmpdir)
  # a comment; with "quotes"
  echo "--prod --optimize" > $env_dir/NODE_BUILD_FLAGS
  compile "build-script" $cache $env_dir
  assertCaptured "Running with --prod --optimize flags"
  assertMetricEqualsString "\${cache}" "failure" "none"
  assertEquals "1" "$(ls -1 $cache/node | grep -c x | tr -d ' ')"
  compile "build-script" "$(mktmpdir)"
  assertCapturedError 1 "Unable to parse"
}

testHeredocAndIndentedBrace() {
  compile "yarn-2"
  assertMetrics "\${cache_dir}" <<-'EOF'
    select(.build_step == "finished")
EOF
  assertCapturedSuccessWithWarnings
 }

testCI() {
  compileTest "ci-env-test"
  assertCaptured "NODE_ENV: test"
}

testConcurrency() {
  LOG_CONCURRENCY=true MEMORY_AVAILABLE=512 capture "$(pwd)"/profile/WEB_CONCURRENCY.sh
  assertCaptured "Recommending WEB_CONCURRENCY=1"
}

source "$(pwd)"/test/shunit2
`;

test('each test function is a case: its builds with their directories, its assertions in order', () => {
  const cases = parseTestFile(snippet, 'run-general');
  assert.deepEqual(
    cases.map((c) => c.name),
    ['testCacheAndEnv', 'testHeredocAndIndentedBrace', 'testCI', 'testConcurrency'],
  );
  const [first] = cases;
  assert.equal(first!.skip, undefined);
  assert.deepEqual(first!.dirs, ['cache', 'env_dir']);
  const kinds = first!.steps.map((s: Step) => (s.kind === 'build' ? `build:${s.fixture}` : s.kind === 'assert' || s.kind === 'unchecked' ? `${s.kind}:${s.helper}` : s.kind));
  assert.deepEqual(kinds, [
    'shell',
    'build:build-script',
    'assert:assertCaptured',
    'unchecked:assertMetricEqualsString',
    'assert:assertEquals',
    'build:build-script',
    'assert:assertCapturedError',
  ]);
  const builds = first!.steps.filter((s): s is Extract<Step, { kind: 'build' }> => s.kind === 'build');
  assert.deepEqual([builds[0]!.cache, builds[0]!.env], [{ var: 'cache' }, { var: 'env_dir' }]);
  assert.deepEqual(builds[1]!.cache, { fresh: true });
  assert.equal(builds[1]!.env, undefined);
  assert.deepEqual(containerPaths(first!, builds[0]!), { cache: '/cache', env_dir: '/env' });
  assert.deepEqual(containerPaths(first!, builds[1]!), { cache: '/tmp/dirs/cache', env_dir: '/tmp/dirs/env_dir' });
  const assertEquals = first!.steps.find((s) => s.kind === 'assert' && s.helper === 'assertEquals');
  assert.deepEqual(assertEquals?.kind === 'assert' && assertEquals.words, ['"1"', `"$(ls -1 $cache/node | grep -c x | tr -d ' ')"`]);
});

test('a here-document belongs to its statement, and a closing brace may be indented', () => {
  const c = parseTestFile(snippet, 'run-yarn')[1]!;
  assert.equal(c.skip, undefined);
  assert.deepEqual(
    c.steps.map((s) => s.kind),
    ['build', 'unchecked', 'assert'],
  );
  const [st] = splitStatements(`assertMetrics "x" <<-'EOF'\n  a\n  b\nEOF\necho done`);
  assert.equal(st!.heredoc, '  a\n  b');
  assert.deepEqual(st!.words, ['assertMetrics', '"x"']);
});

test('tests that run what paas has no equivalent of are skipped with the reason', () => {
  const [, , ci, concurrency] = parseTestFile(snippet, 'run-general');
  assert.match(ci!.skip!, /bin\/test-compile/);
  assert.match(concurrency!.skip!, /capture/);
});

test('words without expansions are read as bash reads them', () => {
  assert.equal(unquote(`"a \\"b\\""'c d'`), 'a "b"c d');
  assert.equal(unquote('"$x"'), undefined);
  assert.equal(unquote('plain'), 'plain');
});

test('assertions mean what shunit2 and Heroku test/utils mean', () => {
  const ok = { stdout: 'line one\n-----> Build succeeded!\n', stderr: '', exitCode: 0 };
  const failed = { stdout: 'Build failed\n', stderr: ' !     Unable to parse package.json\n', exitCode: 1 };
  assert.equal(helpers['assertCaptured']!.check(['Build succeeded'], ok, undefined), undefined);
  assert.match(helpers['assertCaptured']!.check(['nope'], ok, undefined)!, /Expected stdout to contain <nope>/);
  assert.equal(helpers['assertCapturedSuccess']!.check([], ok, undefined), undefined);
  assert.match(helpers['assertCapturedSuccessWithWarnings']!.check([], ok, undefined)!, /non-empty/);
  assert.equal(helpers['assertCapturedError']!.check(['1', 'Unable to parse'], failed, undefined), undefined);
  assert.match(helpers['assertCapturedError']!.check(['2', 'Unable to parse'], failed, undefined)!, /exit code to be <2>; was <1>/);
  assert.equal(helpers['assertCapturedError']!.check([], failed, undefined), undefined);
  assert.equal(helpers['assertEquals']!.check(['message', '0', '0'], ok, undefined), undefined);
  assert.match(helpers['assertEquals']!.check(['1', '0'], ok, undefined)!, /expected:<1> but was:<0>/);
  assert.equal(grepFixed('a\nbc\n', ''), true);
  assert.equal(grepFixed('', ''), false);
  assert.equal(countMatches('x (a) x\nx\n', 'x'), 3);
  assert.equal(countMatches('Installing node (a+)', '(a+)'), 1);
});

test("bash evaluates an assertion's words and probes the file it names (the script the build container runs)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixture-eval-'));
  writeFileSync(join(dir, 'signature'), 'heroku-24\n');
  const script = assertScript(
    { cache: dir },
    ['n=$(( 40 - 1 ))'],
    [
      { kind: 'assert', index: 3, words: ['"$n"', `"$(ls -1 $cache | grep -c sig)"`] },
      { kind: 'state', text: 'export X="a b"' },
      { kind: 'assert', index: 5, words: ['"${X}"', '"${cache}/signature"'], file: -1 },
      { kind: 'assert', index: 6, words: ['"$RETURN"'] },
    ],
    7,
  );
  const res = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  const out = parseAssertOutput(res.stdout, new Set([5]));
  assert.deepEqual(out.get(3)?.words, ['39', '1']);
  assert.deepEqual(out.get(5)?.words, ['a b', `${dir}/signature`]);
  assert.equal(out.get(5)?.probe?.content?.toString(), 'heroku-24\n');
  assert.deepEqual(out.get(6)?.words, ['7']);
});
