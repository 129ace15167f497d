import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Action, type Subject } from './policy.js';

// The policy the product promises, written out: a change to auth/policy.ts that breaks it fails here.
const expectations: [Action, Partial<Record<Subject, ReturnType<typeof decide>>>][] = [
  ['app:read', { anonymous: 'unauthenticated', user: 'hidden', collaborator: 'allow', owner: 'allow', admin: 'allow' }],
  ['app:deploy', { user: 'hidden', collaborator: 'allow', owner: 'allow', admin: 'allow' }],
  ['app:scale', { user: 'hidden', collaborator: 'allow', owner: 'allow', admin: 'allow' }],
  ['app:config:write', { user: 'hidden', collaborator: 'allow', owner: 'allow', admin: 'allow' }],
  ['app:config:read', { user: 'hidden', collaborator: 'allow', owner: 'allow' }],
  ['app:destroy', { user: 'hidden', collaborator: 'forbidden', owner: 'allow', admin: 'allow' }],
  ['app:collaborators:manage', { user: 'hidden', collaborator: 'forbidden', owner: 'allow', admin: 'allow' }],
  ['app:collaborators:read', { collaborator: 'allow', owner: 'allow' }],
  ['admin', { anonymous: 'unauthenticated', user: 'forbidden', collaborator: 'forbidden', owner: 'forbidden', admin: 'allow' }],
  ['account', { anonymous: 'unauthenticated', user: 'allow', admin: 'allow' }],
  ['apps:create', { anonymous: 'unauthenticated', user: 'allow' }],
  ['public', { anonymous: 'allow', user: 'allow' }],
  ['hook', { anonymous: 'unauthenticated', user: 'unauthenticated', admin: 'unauthenticated' }],
];

test('the policy table says who may do what', () => {
  for (const [action, bySubject] of expectations) {
    for (const [subject, want] of Object.entries(bySubject)) {
      assert.equal(decide(subject as Subject, action), want, `${subject} ${action}`);
    }
  }
});
