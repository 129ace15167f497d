import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcfile } from './procfile.js';

test('reads type: command lines', () => {
  assert.deepEqual(parseProcfile('web: node index.js\nworker: node worker.js --queue=a:b\n'), {
    web: 'node index.js',
    worker: 'node worker.js --queue=a:b',
  });
});

test('skips blank lines, comments and malformed lines; tolerates CRLF and spacing', () => {
  const text = '# processes\r\n\r\n  web:   npm start  \r\nnot a process line\nbad type!: x\nempty:\nrelease_2:bin/migrate\n';
  assert.deepEqual(parseProcfile(text), { web: 'npm start', release_2: 'bin/migrate' });
});

test('a later line for the same type wins; an empty file declares nothing', () => {
  assert.deepEqual(parseProcfile('web: a\nweb: b\n'), { web: 'b' });
  assert.deepEqual(parseProcfile(''), {});
});
