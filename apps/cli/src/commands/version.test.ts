// paas version and the version warning, against a scripted API (fetch) that reports its version.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { run } from '../program.js';

const api = 'http://paas.test:5050';

/** An API answering GET /version and GET /apps with `Paas-Version: platform`, or failing to connect. */
function scriptedFetch(platform: string | 'down'): typeof fetch {
  return (async (input: string | URL | Request) => {
    if (platform === 'down') throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const path = new URL(String(input)).pathname;
    const body =
      path === '/version'
        ? { version: platform, cli: { url: `${api}/cli/paas-cli.tgz`, install: `npm install -g ${api}/cli/paas-cli.tgz` } }
        : [];
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'paas-version': platform } });
  }) as typeof fetch;
}

async function cli(argv: string[], version: string, platform: string | 'down'): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end();
  const code = await run(
    argv,
    {
      io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, stdin },
      env: { PAAS_API_URL: api, PAAS_API_TOKEN: 'tok' },
      cwd: '/',
      homeDir: '/nonexistent-home-for-tests',
      selfCommand: ['paas'],
      fetch: scriptedFetch(platform),
    },
    { version },
  );
  return { code, stdout, stderr };
}

describe('versions', () => {
  it('paas version shows the CLI and the platform; equal, nothing more', async () => {
    assert.deepEqual(await cli(['version'], '1.2.0', '1.2.0'), { code: 0, stdout: `paas CLI: 1.2.0\nPlatform: 1.2.0 (${api})\n`, stderr: '' });
  });

  it('differing: paas version says how to install the platform’s CLI; other commands warn once on stderr', async () => {
    const v = await cli(['version'], '1.2.0', '1.3.0');
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `paas CLI: 1.2.0\nPlatform: 1.3.0 (${api})\nThey differ: npm install -g ${api}/cli/paas-cli.tgz installs the platform's CLI.\n`);
    assert.equal(v.stderr, '');
    const apps = await cli(['apps', '--json'], '1.2.0', '1.3.0');
    assert.equal(apps.code, 0, apps.stderr);
    assert.equal(apps.stdout, '[]\n', 'stdout stays clean for scripts');
    assert.equal(apps.stderr, `paas: this CLI is version 1.2.0, the platform at ${api} is 1.3.0: npm install -g ${api}/cli/paas-cli.tgz installs its CLI\n`);
  });

  it('a platform that cannot be reached: paas version still shows the CLI’s', async () => {
    const v = await cli(['version'], '1.2.0', 'down');
    assert.equal(v.code, 0);
    assert.match(v.stdout, new RegExp(`^paas CLI: 1\\.2\\.0\\nPlatform: unknown \\(${api.replace(/\./g, '\\.')}: .+\\)\\n$`));
  });
});
