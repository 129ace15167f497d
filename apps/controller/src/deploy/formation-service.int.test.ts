// The formation service against real PostgreSQL: every value reaches SQL as a parameter, so hostile
// type names are just unknown types, and ill-formed quantities are refused before the database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@paas/shared';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { deployedApp } from '../api/test-fixtures.js';
import { getFormation } from '../db/formation.js';
import { FormationService } from './formation-service.js';

describe('FormationService', () => {
  let h: ApiHarness;
  let service: FormationService;
  let owner: string;
  let appId: string;
  const audit = { actorId: null, app: 'shop', ip: undefined, details: {} };
  const explain = () => {
    throw new Error('explained');
  };
  const formation = async () => (await getFormation(h.db.pool, appId)).map((f) => [f.type, f.quantity]);
  const auditCount = async () => Number((await h.db.pool.query("SELECT count(*) AS n FROM audit_events WHERE action = 'formation.update'")).rows[0].n);

  before(async () => {
    h = await createApiHarness();
    owner = (await h.user('owner@example.com')).user.id;
    appId = (await deployedApp(h, 'shop', owner)).app.id;
    service = new FormationService(h.db.pool, 5);
  });
  after(async () => h.close());

  test('scales, answers the whole formation, and records the audit event', async () => {
    const before = await auditCount();
    const r = await service.scale(owner, appId, [{ type: 'worker', quantity: 2 }], { audit, explain });
    assert.deepEqual(
      r.formation.map((f) => [f.type, f.quantity]),
      [
        ['web', 1],
        ['worker', 2],
      ],
    );
    assert.deepEqual(Object.keys(r.app.release?.process_types ?? {}).sort(), ['web', 'worker']);
    assert.equal(await auditCount(), before + 1);
  });

  test('type names with quotes, backslashes and SQL are unknown types: explained, nothing written', async () => {
    const before = [await formation(), await auditCount()];
    for (const type of ["we'b", "worker'; DROP TABLE apps; --", 'web\\', '$1', '"web"', 'wörker', 'x'.repeat(63)]) {
      await assert.rejects(service.scale(owner, appId, [{ type, quantity: 1 }], { audit, explain }), /explained/, type);
    }
    assert.deepEqual([await formation(), await auditCount()], before);
    assert.equal((await h.db.pool.query('SELECT count(*) AS n FROM apps')).rows[0].n, '1');
  });

  test('huge, negative, fractional and numeric-string quantities, NUL and over-long types are invalid_params before the database', async () => {
    const before = [await formation(), await auditCount()];
    const bad: { type: string; quantity: unknown }[] = [
      { type: 'web', quantity: 2 ** 31 },
      { type: 'web', quantity: Number.MAX_SAFE_INTEGER + 2 },
      { type: 'web', quantity: 1e308 },
      { type: 'web', quantity: Infinity },
      { type: 'web', quantity: NaN },
      { type: 'web', quantity: -1 },
      { type: 'web', quantity: 1.5 },
      { type: 'web', quantity: '3' },
      { type: 'web', quantity: '1; DROP TABLE apps' },
      { type: 'we\0b', quantity: 1 },
      { type: 'x'.repeat(64), quantity: 1 },
      { type: '', quantity: 1 },
    ];
    for (const u of bad) {
      await assert.rejects(
        service.scale(owner, appId, [u as { type: string; quantity: number }], { audit, explain }),
        (err: unknown) => isAppError(err) && err.code === 'invalid_params',
        JSON.stringify(u),
      );
    }
    await assert.rejects(
      service.scale(owner, appId, [{ type: 'web', quantity: 1 }, { type: 'web', quantity: 2 }], { audit, explain }),
      (err: unknown) => isAppError(err) && err.code === 'invalid_params',
      'a type twice',
    );
    await assert.rejects(service.scale("x' OR '1'='1", appId, [{ type: 'web', quantity: 1 }], { audit, explain }), (err: unknown) => isAppError(err) && err.code === 'invalid_params');
    assert.deepEqual([await formation(), await auditCount()], before);
  });

  test('the processes quota: refused with the figures, scaling down always allowed', async () => {
    // web 1 + worker 2 now; the limit is 5.
    await assert.rejects(service.scale(owner, appId, [{ type: 'worker', quantity: 5 }], { audit, explain }), (err: unknown) => {
      assert.ok(isAppError(err) && err.code === 'quota_exceeded');
      assert.match(err.message, /cannot scale to 6 processes across owner@example\.com's apps: the quota of 5 processes would be exceeded/);
      return true;
    });
    await service.scale(owner, appId, [{ type: 'worker', quantity: 4 }], { audit, explain });
    await h.db.pool.query('INSERT INTO quotas (user_id, processes) VALUES ($1, 1)', [owner]);
    const down = await service.scale(owner, appId, [{ type: 'worker', quantity: 1 }], { audit, explain });
    assert.deepEqual(down.formation.find((f) => f.type === 'worker')?.quantity, 1, 'down while over the limit');
  });

  test('an owner that no longer exists is user_not_found', async () => {
    await assert.rejects(
      service.scale('00000000-0000-4000-8000-000000000000', appId, [{ type: 'web', quantity: 1 }], { audit, explain }),
      (err: unknown) => isAppError(err) && err.code === 'user_not_found',
    );
  });
});
