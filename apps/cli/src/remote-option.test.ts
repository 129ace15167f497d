import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './cli-error.js';
import { extractRemoteOption } from './remote-option.js';

describe('extractRemoteOption', () => {
  it('takes -r NAME, --remote NAME and --remote=NAME out of argv, anywhere before --', () => {
    assert.deepEqual(extractRemoteOption(['config', '-r', 'staging']), { argv: ['config'], remote: 'staging' });
    assert.deepEqual(extractRemoteOption(['ps', '--remote', 'prod', '--json']), { argv: ['ps', '--json'], remote: 'prod' });
    assert.deepEqual(extractRemoteOption(['logs', '--remote=prod', '-t']), { argv: ['logs', '-t'], remote: 'prod' });
    assert.deepEqual(extractRemoteOption(['run', '-r', 'prod', '--', 'ls', '-r', 'x']), { argv: ['run', '--', 'ls', '-r', 'x'], remote: 'prod' });
  });

  it('leaves the commands whose -r names the remote they write alone', () => {
    for (const c of ['git:remote', 'apps:create', 'create']) {
      assert.deepEqual(extractRemoteOption([c, 'x', '-r', 'staging']), { argv: [c, 'x', '-r', 'staging'], remote: undefined });
    }
  });

  it('refuses a missing name and two different remotes', () => {
    assert.throws(() => extractRemoteOption(['ps', '-r']), CliError);
    assert.throws(() => extractRemoteOption(['ps', '-r', '--json']), /-r needs a git remote name/);
    assert.throws(() => extractRemoteOption(['ps', '-r', 'a', '--remote=b']), /two different remotes given: a and b/);
  });
});
