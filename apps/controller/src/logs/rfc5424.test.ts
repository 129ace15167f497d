import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRfc5424, octetFrame, parseOctetFrames, syslogTimestamp } from './rfc5424.js';

test('formats Heroku-style RFC 5424 messages', () => {
  assert.equal(
    formatRfc5424('shop', { ts: '2026-11-25T17:58:29.484095913Z', source: 'app', process: 'web.1', line: 'listening on 5000' }),
    '<190>1 2026-11-25T17:58:29.484095+00:00 shop app web.1 - - listening on 5000',
  );
  assert.equal(
    formatRfc5424('shop', { ts: '2026-11-25T17:58:29.5Z', source: 'router', process: 'router', line: 'at=info status=200' }),
    '<190>1 2026-11-25T17:58:29.5+00:00 shop router router - - at=info status=200',
  );
});

test('header fields stay printable ASCII without spaces, and the message stays on one line', () => {
  const msg = formatRfc5424('shop', { ts: '2026-11-25T17:58:29Z', source: 'platform', process: 'a b\tc', line: 'one\r\ntwo' });
  assert.equal(msg, '<190>1 2026-11-25T17:58:29+00:00 shop platform a_b_c - - one two');
  assert.equal(syslogTimestamp('2026-11-25T18:58:29.25+01:00'), '2026-11-25T17:58:29.250+00:00');
});

test('octet counting frames count bytes, not characters, and read back', () => {
  const frames = [octetFrame('héllo'), octetFrame('<190>1 x')].join('');
  assert.equal(octetFrame('héllo'), '6 héllo');
  const parsed = parseOctetFrames(Buffer.from(`${frames}12 incomple`));
  assert.deepEqual(parsed.messages, ['héllo', '<190>1 x']);
  assert.equal(parsed.rest.toString(), '12 incomple');
});
