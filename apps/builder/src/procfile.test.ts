import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@paas/shared';
import { parseProcfile } from './procfile.js';

test('reads type: command lines', () => {
  assert.deepEqual(parseProcfile('web: node index.js\nworker: node worker.js --queue=a:b\n'), {
    web: 'node index.js',
    worker: 'node worker.js --queue=a:b',
  });
});

test('skips blank lines and comments; tolerates CRLF and spacing', () => {
  const text = '# processes\r\n\r\n  web:   npm start  \r\nrelease_2:bin/migrate\n';
  assert.deepEqual(parseProcfile(text), { web: 'npm start', release_2: 'bin/migrate' });
});

test('a later line for the same type wins; an empty file declares nothing', () => {
  assert.deepEqual(parseProcfile('web: a\nweb: b\n'), { web: 'b' });
  assert.deepEqual(parseProcfile(''), {});
});

test('a malformed line fails the build, naming the line and the reason', () => {
  const fails = (text: string, message: RegExp): void =>
    assert.throws(() => parseProcfile(text), (err: unknown) => err instanceof AppError && err.code === 'build_failed' && message.test(err.message));
  fails('web: node a.js\nnot a process line\n', /^Procfile line 2 is malformed: expected "type: command" \("not a process line"\)$/);
  fails('# c\nbad type!: x\n', /^Procfile line 2 is malformed: the process type may only have letters/);
  fails('web:\n', /^Procfile line 1 is malformed: the process type "web" has no command/);
});
