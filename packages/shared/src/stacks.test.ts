import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultStack, findStack, isStackName, stackImage, stackNames, stacks } from './stacks.js';

test('one default stack, trixie, and every stack named once with its own id', () => {
  assert.deepEqual(stacks.filter((s) => s.default).map((s) => s.name), [defaultStack]);
  assert.equal(defaultStack, 'trixie');
  assert.deepEqual([...new Set(stacks.map((s) => s.name))].sort(), [...stackNames].sort());
  assert.equal(new Set(stacks.map((s) => s.id)).size, stacks.length);
});

test('stacks are found by name or id; anything else is not a stack', () => {
  assert.equal(findStack('bookworm')?.name, 'bookworm');
  assert.equal(findStack(stacks[0]!.id)?.name, stacks[0]!.name);
  for (const bad of ['', 'heroku-24', 'TRIXIE', 'trixie ', '../trixie', 'constructor']) {
    assert.equal(findStack(bad), undefined, bad);
    assert.equal(isStackName(bad), false, bad);
  }
});

test('image templates name the stack; a template without {stack} is one image for all', () => {
  assert.equal(stackImage('paas/build:{stack}', 'trixie'), 'paas/build:trixie');
  assert.equal(stackImage('registry.example/build-{stack}:{stack}', 'bookworm'), 'registry.example/build-bookworm:bookworm');
  assert.equal(stackImage('my/build:1', 'trixie'), 'my/build:1');
});
