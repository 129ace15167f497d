import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigAssignments, parseConfigKeys, parsePositiveInt, parseScaleArgs, resolveScaleArgs } from './args.js';
import { CliError } from './cli-error.js';

describe('parseConfigAssignments', () => {
  it('splits on the first = and keeps the rest of the value', () => {
    assert.deepEqual(parseConfigAssignments(['A=1', 'DATABASE_URL=postgres://u:p@h/db?x=y', 'EMPTY=']), {
      A: '1',
      DATABASE_URL: 'postgres://u:p@h/db?x=y',
      EMPTY: '',
    });
  });

  it('refuses arguments without =', () => {
    assert.throws(() => parseConfigAssignments(['FOO']), (err: Error) => err instanceof CliError && /not KEY=VALUE/.test(err.message));
  });

  it('refuses malformed keys, naming the argument', () => {
    for (const arg of ['1A=x', '=x', 'A-B=x', 'A B=x', 'É=x']) {
      assert.throws(
        () => parseConfigAssignments([arg]),
        (err: Error) => err instanceof CliError && err.message.includes(`'${arg}'`) && /not a valid key/.test(err.message),
        arg,
      );
    }
  });

  it('needs at least one pair', () => {
    assert.throws(() => parseConfigAssignments([]), CliError);
  });
});

describe('parseConfigKeys', () => {
  it('accepts valid keys, de-duplicated', () => {
    assert.deepEqual(parseConfigKeys(['A', '_B2', 'A']), ['A', '_B2']);
  });

  it('refuses K=V given to unset', () => {
    assert.throws(() => parseConfigKeys(['A=1']), /not a valid key/);
  });
});

describe('parseScaleArgs', () => {
  it('parses TYPE=N pairs, the last one winning per type', () => {
    assert.deepEqual(parseScaleArgs(['web=2', 'worker=0', 'clock_1=1', 'web=3']), [
      { type: 'web', quantity: 3 },
      { type: 'worker', quantity: 0 },
      { type: 'clock_1', quantity: 1 },
    ]);
  });

  it('refuses missing, negative or fractional quantities and bad types', () => {
    for (const arg of ['web', 'web=', 'web=-1', 'web=1.5', 'web=two', '=2', 'we b=1']) {
      assert.throws(() => parseScaleArgs([arg]), CliError, arg);
    }
  });
});

describe('relative scale (web+1, web-1)', () => {
  it('parses TYPE+N and TYPE-N, a type with dashes included, and applies them to the formation', () => {
    const args = parseScaleArgs(['web+2', 'worker-1', 'web-api-1', 'web-api=4', 'clock+0']);
    assert.deepEqual(args, [
      { type: 'web', delta: 2 },
      { type: 'worker', delta: -1 },
      { type: 'web-api', quantity: 4 },
      { type: 'clock', delta: 0 },
    ]);
    const formation = [
      { type: 'web', quantity: 1 },
      { type: 'worker', quantity: 3 },
    ];
    assert.deepEqual(resolveScaleArgs(args, formation), [
      { type: 'web', quantity: 3 },
      { type: 'worker', quantity: 2 },
      { type: 'web-api', quantity: 4 },
      { type: 'clock', quantity: 0 },
    ]);
  });

  it('refuses going below 0 and malformed relative forms', () => {
    assert.throws(() => resolveScaleArgs(parseScaleArgs(['web-2']), [{ type: 'web', quantity: 1 }]), /cannot scale web to -1: it runs 1/);
    for (const arg of ['web+', 'web+-1', 'web++1', '+1', 'web+1.5', 'web+x']) assert.throws(() => parseScaleArgs([arg]), CliError, arg);
  });
});

describe('parsePositiveInt', () => {
  it('parses whole numbers of at least 1', () => {
    assert.equal(parsePositiveInt('5', '-n'), 5);
    assert.throws(() => parsePositiveInt('0', '-n'), /-n must be a whole number/);
    assert.throws(() => parsePositiveInt('x', '-n'), CliError);
  });
});
