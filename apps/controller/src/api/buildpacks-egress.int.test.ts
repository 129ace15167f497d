import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { EgressGuard } from '@paas/shared';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as } from './test-fixtures.js';

async function setBuildpack(h: ApiHarness, who: { token: string }, buildpack: string): Promise<request.Response> {
  return request(h.app).put('/apps/bp-egress/buildpack-installations').set(as(who)).send({ updates: [{ buildpack }] });
}

describe('buildpack URLs go through the egress guard', () => {
  let strict: ApiHarness;
  let lenient: ApiHarness;
  let alice: { token: string };
  let bob: { token: string };

  before(async () => {
    strict = await createApiHarness();
    lenient = await createApiHarness({ egress: new EgressGuard({ allowFileUrls: true }) });
    alice = await strict.user('alice@example.com');
    bob = await lenient.user('bob@example.com');
    await request(strict.app).post('/apps').set(as(alice)).send({ name: 'bp-egress' }).expect(201);
    await request(lenient.app).post('/apps').set(as(bob)).send({ name: 'bp-egress' }).expect(201);
  });
  after(async () => {
    await strict.close();
    await lenient.close();
  });

  test('file:, plain http, git://, credentials and internal addresses are refused with 422 naming the rule; nothing is saved', async () => {
    for (const [url, reason] of [
      ['file:///etc/passwd', /file: URLs read the platform's own disk and are not allowed here/],
      ['http://git.example.com/bp.git', /plain http:\/\/ is not allowed/],
      ['git://git.example.com/bp.git', /plain git:\/\/ is not allowed/],
      ['https://deploy:s3cret@git.example.com/bp.git', /credentials in a URL are not allowed/],
      ['https://127.1/bp.git', /127\.0\.0\.1 is a loopback address/],
      ['https://0x7f000001/bp.tgz', /loopback address/],
      ['https://[::ffff:169.254.169.254]/bp.tgz', /link-local address/],
      ['https://localhost/bp.git', /localhost is refused: it names this machine/],
      ['https://10.0.0.8/bp.git', /private network address/],
    ] as const) {
      const res = await setBuildpack(strict, alice, url);
      assert.equal(res.status, 422, url);
      assert.equal(res.body.id, 'invalid_params', url);
      assert.match(res.body.message, reason, url);
      assert.ok(!res.body.message.includes('s3cret'), 'a password is never echoed');
    }
    const saved = await request(strict.app).get('/apps/bp-egress/buildpack-installations').set(as(alice)).expect(200);
    assert.deepEqual(saved.body, []);
  });

  test("Heroku's buildpack names and GitHub URLs are saved as the built-ins (no fetch, no address check)", async () => {
    const res = await request(strict.app)
      .put('/apps/bp-egress/buildpack-installations')
      .set(as(alice))
      .send({ updates: [{ buildpack: 'https://github.com/heroku/heroku-buildpack-nodejs' }, { buildpack: 'heroku-community/static' }, { buildpack: 'heroku/go' }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.map((b: { buildpack: { name: string } }) => b.buildpack.name),
      ['nodejs', 'static', 'go'],
    );
    await request(strict.app).put('/apps/bp-egress/buildpack-installations').set(as(alice)).send({ updates: [] }).expect(200);
  });

  test('https git and tarball URLs are saved; file: only where the operator allows it', async () => {
    const ok = await setBuildpack(strict, alice, 'https://git.example.com/org/bp.git#v2');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await setBuildpack(strict, alice, 'file:///srv/bp')).status, 422);
    const file = await setBuildpack(lenient, bob, 'file:///srv/bp#main');
    assert.equal(file.status, 200, JSON.stringify(file.body));
    assert.equal(file.body[0].buildpack.url, 'file:///srv/bp#main');
  });
});
