import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, similarCommands } from './similar-commands.js';

const names = ['apps', 'apps:create', 'apps:info', 'apps:destroy', 'config', 'config:set', 'ps', 'scale', 'releases'];

describe('similarCommands', () => {
  it('suggests commands a typo away, closest first', () => {
    assert.deepEqual(similarCommands('aps', names).slice(0, 2), ['apps', 'ps']);
    assert.equal(similarCommands('relases', names)[0], 'releases');
    assert.equal(similarCommands('config:st', names)[0], 'config:set');
  });

  it('suggests the commands of the same topic', () => {
    const similar = similarCommands('apps:craete', names);
    assert.equal(similar[0], 'apps:create');
    assert.deepEqual([...similar].sort(), ['apps', 'apps:create', 'apps:destroy', 'apps:info']);
  });

  it('suggests nothing for unrelated words', () => {
    assert.deepEqual(similarCommands('deploy', names), []);
  });

  it('counts transpositions as one edit', () => {
    assert.equal(editDistance('scale', 'sclae'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });
});
