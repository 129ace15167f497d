import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, ApiError } from './api-client.js';
import { CliError } from './cli-error.js';
import { email, startFixture, type Fixture } from './test-support/fixture.js';

describe('ApiClient', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  it('sends the token as a bearer token and parses JSON', async () => {
    const account = await new ApiClient({ url: `${f.url}/`, token: f.token }).account();
    assert.deepEqual([account.id, account.email, account.role], [f.user.id, email, 'user']);
    assert.equal(f.requests.at(-1)?.authorization, `Bearer ${f.token}`);
  });

  it('turns an error body into an ApiError with the status, id and message', async () => {
    const client = new ApiClient({ url: f.url, token: f.token });
    await client.createApp('shop');
    await assert.rejects(client.createApp('shop'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 409);
      assert.equal(err.id, 'name_taken');
      assert.equal(err.message, 'Name shop is already taken');
      return true;
    });
    await assert.rejects(new ApiClient({ url: f.url, token: 'wrong' }).listApps(), { status: 401, id: 'unauthorized' });
  });

  it('encodes app names in paths', async () => {
    await assert.rejects(new ApiClient({ url: f.url, token: f.token }).getApp('a/b'), { status: 404 });
    assert.equal(f.requests.at(-1)?.path, '/apps/a%2Fb');
  });

  it('says the API is unreachable when the connection is refused', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    await assert.rejects(
      new ApiClient({ url, token: 't' }).listApps(),
      (err: Error) =>
        err instanceof CliError && err.message === `cannot reach the paas API at ${url}: is the platform up? (npm run up)`,
    );
  });

  describe('against a misbehaving server', () => {
    let server: Server;
    let url: string;
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/apps') {
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html>bad gateway</html>');
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('hello');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('reports a non-JSON error with its status', async () => {
      await assert.rejects(new ApiClient({ url, token: 't' }).listApps(), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.status, 502);
        assert.match(err.message, /502 Bad Gateway to GET \/apps/);
        return true;
      });
    });

    it('refuses a non-JSON success', async () => {
      await assert.rejects(new ApiClient({ url, token: 't' }).account(), /something other than JSON/);
    });
  });
});
