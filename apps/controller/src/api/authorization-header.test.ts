// Issue 23: Authorization headers are read strictly, the same way by the API, git and paas run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@paas/shared';
import { tokenFrom } from './auth.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('Authorization header', () => {
  test("exactly 'Bearer <token>', or git's Basic form with the token as password", () => {
    assert.equal(tokenFrom(undefined), undefined);
    assert.equal(tokenFrom('Bearer paas_abc-DEF_123'), 'paas_abc-DEF_123');
    assert.equal(tokenFrom('bearer eyJh.eyJz.sig'), 'eyJh.eyJz.sig');
    assert.equal(tokenFrom(basic('paas:paas_tok')), 'paas_tok');
    assert.equal(tokenFrom(basic(':paas_tok')), 'paas_tok');
    assert.equal(tokenFrom(basic('user:with:colons')), 'with:colons');
  });

  test("finding: 'Bearer <token> extra-words' was accepted; anything but the two forms is invalid_authorization (401)", () => {
    for (const header of [
      'Bearer tok extra-words',
      'Bearer  tok',
      'Bearer tok ',
      'Bearer',
      'Bearer ',
      'Token tok',
      'tok',
      '',
      'Basic',
      'Basic !!!!',
      'Basic dXNlcjp0b2s', // unpadded
      basic('no-colon'),
      basic('user:'),
      basic('user:tok\n'),
      `Basic ${Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')}`, // not UTF-8
      `${basic('u:tok')} extra`,
    ]) {
      assert.throws(
        () => tokenFrom(header),
        (err: unknown) => err instanceof AppError && err.code === 'invalid_authorization' && err.status === 401,
        JSON.stringify(header),
      );
    }
  });
});
