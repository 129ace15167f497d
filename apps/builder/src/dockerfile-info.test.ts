import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildArgs, declaredArgs, imageCommand, imagePort, shellQuote } from './dockerfile-info.js';

const dockerfile = 'FROM paas/run:bookworm\nARG GREETING=hello\narg SECRET \\\n  OTHER=1\nRUN echo $GREETING\n';

test('the ARGs a Dockerfile declares, continuation lines and lowercase included', () => {
  assert.deepEqual(declaredArgs(dockerfile), ['GREETING', 'SECRET', 'OTHER']);
});

test('config vars become build args only when asked, and only for declared ARGs', () => {
  const env = { GREETING: 'bonjour', SECRET: 's3', DATABASE_URL: 'postgres://x' };
  assert.deepEqual(buildArgs(env, dockerfile), {});
  assert.deepEqual(buildArgs({ ...env, PAAS_DOCKERFILE_BUILD_ARGS: '0' }, dockerfile), {});
  assert.deepEqual(buildArgs({ ...env, PAAS_DOCKERFILE_BUILD_ARGS: '1' }, dockerfile), { GREETING: 'bonjour', SECRET: 's3' });
  assert.deepEqual(buildArgs({ ...env, PAAS_DOCKERFILE_BUILD_ARGS: 'GREETING, DATABASE_URL' }, dockerfile), { GREETING: 'bonjour' });
});

test('the port: the one EXPOSEd, the ENV PORT among several, else ENV PORT, else none', () => {
  assert.deepEqual(imagePort({ ExposedPorts: { '8080/tcp': {} } }), { port: 8080, from: 'EXPOSE' });
  assert.deepEqual(imagePort({ ExposedPorts: { '9000/tcp': {}, '3000/tcp': {}, '53/udp': {} } }), { port: 3000, from: 'EXPOSE' });
  assert.deepEqual(imagePort({ ExposedPorts: { '9000/tcp': {}, '3000/tcp': {} }, Env: ['PORT=9000'] }), { port: 9000, from: 'EXPOSE' });
  assert.deepEqual(imagePort({ Env: ['PATH=/bin', 'PORT=4000'] }), { port: 4000, from: 'ENV PORT' });
  assert.equal(imagePort({ ExposedPorts: { '53/udp': {} }, Env: ['PORT=$X'] }), undefined);
  assert.equal(imagePort({}), undefined);
});

test("the image's command as one quoted line", () => {
  assert.equal(imageCommand({ Entrypoint: ['/server'], Cmd: ['--name', "it's here", '-x'] }), `/server --name 'it'\\''s here' -x`);
  assert.equal(imageCommand({ Cmd: ['/bin/sh', '-c', 'node a.js && echo $PORT'] }), `/bin/sh -c 'node a.js && echo $PORT'`);
  assert.equal(imageCommand({ Entrypoint: null, Cmd: null }), undefined);
  assert.equal(shellQuote(''), `''`);
});
