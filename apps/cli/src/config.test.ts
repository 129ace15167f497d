import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './cli-error.js';
import { loadCliEnv } from './config.js';

describe('loadCliEnv', () => {
  it('defaults PAAS_HOME to ~/.paas and leaves the API unset', () => {
    assert.deepEqual(loadCliEnv({}, '/home/u'), {
      home: '/home/u/.paas',
      homeFromEnv: false,
      apiUrl: undefined,
      apiToken: undefined,
      debug: false,
      app: undefined,
      browser: undefined,
    });
  });

  it('reads PAAS_HOME (made absolute, ~ expanded), PAAS_API_URL (trailing slash dropped) and PAAS_API_TOKEN', () => {
    const env = loadCliEnv({ PAAS_HOME: '~/state', PAAS_API_URL: 'http://10.0.0.1:5050/', PAAS_API_TOKEN: 't' }, '/home/u');
    assert.equal(env.home, '/home/u/state');
    assert.equal(env.homeFromEnv, true);
    assert.equal(env.apiUrl, 'http://10.0.0.1:5050');
    assert.equal(env.apiToken, 't');
  });

  it('treats blank variables as unset', () => {
    const env = loadCliEnv({ PAAS_HOME: '', PAAS_API_URL: ' ', PAAS_API_TOKEN: '' }, '/h');
    assert.equal(env.home, '/h/.paas');
    assert.equal(env.apiUrl, undefined);
    assert.equal(env.apiToken, undefined);
  });

  it('fails with a message naming the bad variable', () => {
    assert.throws(
      () => loadCliEnv({ PAAS_API_URL: 'not a url' }, '/h'),
      (err: Error) => err instanceof CliError && err.message.includes('PAAS_API_URL'),
    );
  });
});
