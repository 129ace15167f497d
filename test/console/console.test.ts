/**
 * The web console end to end, in headless Chromium against a whole platform (one for the suite):
 * log in; create an app; push to it with git and watch its build stream in the page; scale web to 2
 * and see two processes; see a log line arrive live; set and unset a config var; switch to 简体中文 and
 * see the same screen translated (remembered on the server); an admin sets a quota in the console and
 * the user's scale beyond it shows the refusal; log out revokes the session. axe-core finds no serious
 * or critical violation on each main screen; screenshots of each in both languages go to
 * test-results/console/ (not committed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { axeViolations, launchBrowser, type Browser } from './browser.js';

const shots = join(repoRoot, 'test-results', 'console');

const appSource = `const express = require('express');
const app = express();
app.use((req, res) => {
  console.log('request ' + req.path);
  res.send('hello from the console test (' + process.env.DYNO + ')\\n');
});
app.listen(process.env.PORT || 5000, () => console.log('listening on ' + process.env.PORT));
`;

/** Waits for the page to settle (no request in flight for a moment: the screens load over fetch). */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
}

describe('web console in a real browser', { timeout: 900_000 }, () => {
  let p: Platform;
  let browser: Browser;
  let work: string;
  let adminToken: string;
  const app = `con-${randomBytes(3).toString('hex')}`;
  const dev = { email: `dev-${randomBytes(3).toString('hex')}@example.com`, password: 'console-test-pw-1' };
  const ops = { email: `ops-${randomBytes(3).toString('hex')}@example.com`, password: 'console-test-pw-2' };
  let page: Page;
  const a11y: Record<string, string[]> = {};

  async function check(name: string, target: Page = page): Promise<void> {
    await settled(target);
    const lang = await target.evaluate<string>('document.documentElement.lang');
    await target.screenshot({ path: join(shots, `${name}.${lang}.png`), fullPage: true });
    const v = await axeViolations(target);
    a11y[`${name}.${lang}`] = v.map((x) => `${x.id} (${x.impact}): ${x.help} at ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  async function login(target: Page, who: { email: string; password: string }): Promise<void> {
    await target.goto(`${p.apiUrl}/console/`);
    await target.getByLabel(/^(Email|电子邮箱)$/).fill(who.email);
    await target.getByLabel(/^(Password|密码)$/).fill(who.password);
    await target.locator('form button[type=submit]').click();
    await target.locator('h1', { hasText: /^(Apps|应用)$/ }).waitFor();
  }

  async function api(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Response> {
    return fetch(`${p.apiUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${init.token ?? adminToken}`, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  }

  before(async () => {
    await mkdir(shots, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'paas-console-e2e-'));
    [p, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    adminToken = JSON.parse(await readFile(join(p.home, 'cli.json'), 'utf8')).token;
    assert.equal((await api('/admin/users', { method: 'POST', body: dev })).status, 201);
    assert.equal((await api('/admin/users', { method: 'POST', body: { ...ops, admin: true } })).status, 201);
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('the console is served with its security headers, precompressed, and refuses a wrong password', async () => {
    const index = await fetch(`${p.apiUrl}/console/`, { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const asset = /\/console\/assets\/[\w.-]+\.js/.exec(await index.text())![0];
    const js = await fetch(`${p.apiUrl}${asset}`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(js.headers.get('content-encoding'), 'br');
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);

    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401|Failed to load resource/.test(m.text())) errors.push(m.text());
    });
    await page.goto(`${p.apiUrl}/console/`);
    await page.getByLabel('Email').fill(dev.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid email or password' }).waitFor();
    await check('login');
    assert.deepEqual(errors, [], 'no script error, no CSP violation');
  });

  test('create an app, push with git and watch the build stream, scale, logs, config vars', async () => {
    await login(page, dev);
    await check('apps-empty');
    await page.getByLabel('New app name').fill(app);
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.locator('h1', { hasText: app }).waitFor();

    // The builds screen open before the push: the build appears and its output streams in.
    await page.getByRole('link', { name: 'Builds' }).click();
    await page.getByText('No builds yet.').waitFor();
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await writeFile(join(dir, 'index.js'), appSource);
    await gitRepo(dir);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    let pushDone = false;
    const push = gitPush(p, dir).then((r) => {
      pushDone = true;
      return r;
    });
    const output = page.locator('pre.build-output');
    await output.filter({ hasText: '-----> ' }).waitFor({ timeout: 300_000 });
    const streamedWhileRunning = !pushDone && (await page.getByRole('status').filter({ hasText: 'Streaming the build output' }).count()) === 1;
    const pushed = await push;
    assert.equal(pushed.code, 0, pushed.output);
    await page.getByRole('status').filter({ hasText: 'Build succeeded.' }).waitFor({ timeout: 60_000 });
    assert.ok(streamedWhileRunning, 'the output was in the page while the build ran');
    // The page shows the build's output as git push showed it: every line of it, with its headings.
    const pushLines = new Set(pushed.output.split('\n').map((l) => l.replace(/^remote: /, '').trim()));
    const pageLines = (await output.innerText()).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    assert.ok(pageLines.filter((l) => l.startsWith('-----> ')).length >= 2, pageLines.join('\n'));
    assert.deepEqual(pageLines.filter((l) => !pushLines.has(l)), [], 'lines in the page that git push did not show');
    await check('builds');

    // Scale web to 2: two processes listed.
    await page.getByRole('link', { name: 'Processes' }).click();
    await page.getByLabel('Number of web processes').fill('2');
    await page.getByRole('button', { name: 'Scale', exact: true }).first().click();
    await page.locator('tr[data-process="web.2"]').waitFor({ timeout: 120_000 });
    await page.locator('tr[data-process="web.1"]').waitFor();
    await page.getByText('Your quota: 2 of').waitFor();
    await check('processes');

    // A line written by the app appears in the open log view.
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByText('Live: new lines appear').waitFor();
    const marker = `/console-${randomBytes(4).toString('hex')}`;
    await settled(page);
    assert.equal((await p.get(app, marker)).status, 200);
    await page.locator('pre.log-output').filter({ hasText: `request ${marker}` }).waitFor({ timeout: 30_000 });
    // Filters: the router's line alone; text filtering; pause holds lines.
    await page.getByLabel('Contains').fill(marker);
    assert.ok((await page.locator('pre.log-output').innerText()).split('\n').every((l) => l.includes(marker)));
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused: new lines are held').waitFor();
    await check('logs');
    await page.getByRole('button', { name: 'Resume' }).click();

    // The last hour's charts: the request above is counted from the router's access line.
    await page.getByRole('link', { name: 'Metrics' }).click();
    await page.locator('figure.chart svg[role=img]').first().waitFor();
    const metrics = (await (await api(`/apps/${app}/metrics`)).json()) as { requests: { requests: number; status: Record<string, number> }[] };
    assert.ok(metrics.requests.reduce((n, x) => n + x.status['2xx']!, 0) >= 1, JSON.stringify(metrics.requests.filter((x) => x.requests > 0)));
    await check('metrics');

    // Config vars: set one (a release), see it masked, show it; unset it after a confirmation.
    await page.getByRole('link', { name: 'Config vars' }).click();
    await page.getByLabel('Name', { exact: true }).fill('GREETING');
    await page.getByLabel('Value', { exact: true }).fill('hello-console');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'GREETING set: a new release was made.' }).waitFor();
    const row = page.locator('tr[data-var="GREETING"]');
    assert.equal(await row.locator('code.value').innerText(), '••••••••');
    await row.getByRole('button', { name: 'Show the value of GREETING' }).click();
    assert.equal(await row.locator('code.value').innerText(), 'hello-console');
    const cfg = (await (await api(`/apps/${app}/config-vars`)).json()) as Record<string, string>;
    assert.equal(cfg['GREETING'], 'hello-console');
    await check('config');
    await row.getByRole('button', { name: 'Unset GREETING' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unset' }).click();
    await page.getByRole('status').filter({ hasText: 'GREETING unset' }).waitFor();
    await row.waitFor({ state: 'detached' });
    assert.equal(((await (await api(`/apps/${app}/config-vars`)).json()) as Record<string, string>)['GREETING'], undefined);
    const releases = (await (await api(`/apps/${app}/releases`)).json()) as { description: string }[];
    assert.ok(releases.some((r) => /GREETING/.test(r.description)), 'the changes made releases');
  });

  test('简体中文: the same screens translated, remembered on the server for the next sign-in', async () => {
    await page.getByRole('link', { name: 'Processes' }).click();
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.locator('h2', { hasText: '扩缩容' }).waitFor();
    await page.getByText('您的配额：已使用 2 /').waitFor();
    assert.equal(await page.evaluate<string>('document.documentElement.lang'), 'zh-CN');
    await check('processes');
    const devToken = await page.evaluate<string | null>("sessionStorage.getItem('paas.session')");
    const account = (await (await api('/account', { token: devToken! })).json()) as { locale: string };
    assert.equal(account.locale, 'zh-CN');
    for (const [tab, heading] of [['metrics', '最近一小时'], ['logs', '日志'], ['builds', '构建'], ['config', '配置变量']] as const) {
      await page.goto(`${p.apiUrl}/console/apps/${app}/${tab}`);
      await page.locator('h2', { hasText: heading }).waitFor();
      await check(tab);
    }
    await page.goto(`${p.apiUrl}/console/`);
    await page.locator('h1', { hasText: '应用' }).waitFor();
    await check('apps');
  });

  test('an admin sets a quota in the console; the user scaling past it sees the refusal', async () => {
    const admin = await browser.context.newPage();
    await login(admin, ops);
    await admin.getByRole('link', { name: 'Administration' }).click();
    await admin.locator(`tr[data-user="${dev.email}"]`).waitFor();
    await check('admin-users', admin);
    await admin.getByRole('button', { name: `Quota of ${dev.email}` }).click();
    await admin.getByLabel(/^Processes/).fill('2');
    await admin.getByRole('button', { name: 'Save quota' }).click();
    await admin.getByLabel(/^Processes · \d+ used of 2$/).waitFor();
    for (const [tab, name] of [['hosts', 'Hosts'], ['status', 'Components'], ['audit', 'Audit log']] as const) {
      await admin.getByRole('link', { name }).click();
      await admin.locator('h2', { hasText: name }).waitFor();
      await check(`admin-${tab}`, admin);
    }
    await admin.getByLabel('Action').fill('quota.update');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.locator('td code', { hasText: 'quota.update' }).first().waitFor();
    await admin.close();

    // The user's console is in Chinese now: the refusal is said in it, with the quota named.
    await page.goto(`${p.apiUrl}/console/apps/${app}/processes`);
    await page.getByLabel('web 进程数量').fill('3');
    await page.getByRole('button', { name: '扩缩容', exact: true }).first().click();
    const refusal = page.getByRole('alert').filter({ hasText: '超出了您的配额' });
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /process/);
    await check('processes-refused');
    const formation = (await (await api(`/apps/${app}/formation`)).json()) as { type: string; quantity: number }[];
    assert.equal(formation.find((f) => f.type === 'web')?.quantity, 2);
  });

  test('destroy asks for the typed name; logout revokes the session', async () => {
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('button', { name: 'Destroy app' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Destroy app' });
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByLabel(`Type ${app} to confirm`).fill(app.slice(0, -1));
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByLabel(`Type ${app} to confirm`).fill(app);
    await confirm.click();
    await page.locator('h1', { hasText: /^Apps$/ }).waitFor();
    await page.getByText('No apps yet.').waitFor();
    assert.equal((await api(`/apps/${app}`)).status, 404);

    const token = await page.evaluate<string | null>("sessionStorage.getItem('paas.session')");
    assert.equal((await api('/account', { token: token! })).status, 200);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal((await api('/account', { token: token! })).status, 401, 'the session is revoked');
    assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('paas.session')"), null);

    // Phone width: the login and apps screens fit without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await login(page, dev);
    assert.ok(await page.evaluate<boolean>('document.documentElement.scrollWidth <= innerWidth + 1'), 'no horizontal scroll at phone width');
    await check('apps-phone');
  });

  test('axe finds no serious or critical violation on any screen', () => {
    assert.ok(Object.keys(a11y).length >= 16, Object.keys(a11y).join(', '));
    assert.deepEqual(Object.fromEntries(Object.entries(a11y).filter(([, v]) => v.length > 0)), {});
  });
});
