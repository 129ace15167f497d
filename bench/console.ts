/**
 * The web console: its first load in a fresh headless Chromium (bytes over the wire, compressed, and
 * the time until the login form is rendered and usable), and the time from a line written in an
 * app's container to it showing in the console's live log view. A `ticker` process writes lines
 * stamped with the wall clock; the page (same machine, same clock) notes when each appears.
 * Every line takes the real path: Docker's log → the collector → the app's Redis stream → the API's
 * tail as server-sent events → fetch in the page → the DOM.
 *
 *   npm run bench:console   (or npm run bench -- console, which also writes BENCHMARKS.md)
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../test/helpers/platform.js';
import { launchBrowser } from '../test/console/browser.js';

const loads = 5;
const ticks = 40;

const tickerSource = `let n = 0;
setInterval(() => console.log('tick ' + n++ + ' ' + Date.now()), 500);
`;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** One first load in a fresh profile: bytes received (encoded) and ms from navigation to a usable login form. */
async function firstLoad(p: Platform): Promise<{ bytes: number; requests: number; ms: number }> {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
      bytes += e.encodedDataLength;
      requests += 1;
    });
    await page.goto(`${p.apiUrl}/console/`);
    await page.waitForSelector('input[name=email]:enabled');
    const ms = await page.evaluate<number>('performance.now()');
    await page.waitForLoadState('networkidle');
    return { bytes, requests, ms };
  } finally {
    await browser.close();
  }
}

export async function benchConsole(): Promise<string> {
  const load = loadavg()[0]!;
  const p = await startPlatform();
  const work = await mkdtemp(join(tmpdir(), 'paas-bench-console-'));
  const app = `conbench-${randomBytes(3).toString('hex')}`;
  const samples: { bytes: number; requests: number; ms: number }[] = [];
  const latencies: number[] = [];
  let bundle = 0;
  try {
    for (let i = 0; i < loads; i++) samples.push(await firstLoad(p));
    const index = await (await fetch(`${p.apiUrl}/console/`)).text();
    for (const m of index.matchAll(/\/console\/assets\/[\w.-]+/g)) bundle += (await readFile(join(repoRoot, 'apps/console/dist', m[0].slice('/console/'.length)))).length;

    if ((await p.paas(['apps:create', app])).code !== 0) throw new Error('apps:create failed');
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await writeFile(join(dir, 'ticker.js'), tickerSource);
    await writeFile(join(dir, 'Procfile'), 'web: node index.js\nticker: node ticker.js\n');
    await gitRepo(dir);
    await p.paas(['git:remote', '-a', app], { cwd: dir });
    const pushed = await gitPush(p, dir);
    if (pushed.code !== 0) throw new Error(`push failed:\n${pushed.output}`);
    const scaled = await p.paas(['scale', 'ticker=1', '-a', app]);
    if (scaled.code !== 0) throw new Error(`scale failed: ${scaled.stderr}`);

    const credentials = await readFile(join(p.home, 'admin-credentials'), 'utf8');
    const email = /email=(.*)/.exec(credentials)![1]!;
    const password = /password=(.*)/.exec(credentials)![1]!;
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${p.apiUrl}/console/`);
      await page.fill('input[name=email]', email);
      await page.fill('input[name=password]', password);
      await page.click('form button[type=submit]');
      await page.locator('h1', { hasText: 'Apps' }).waitFor();
      await page.goto(`${p.apiUrl}/console/apps/${app}/logs`);
      await page.waitForSelector('pre.log-output');
      // The page notes the wall clock when each tick line appears in the log view.
      await page.evaluate(`(() => {
        window.__seen = {};
        // Only lines written from now on: the history the view loaded first is not a latency.
        const since = Date.now();
        const pre = document.querySelector('pre.log-output');
        new MutationObserver(() => {
          const now = Date.now();
          for (const m of pre.textContent.matchAll(/: tick (\\d+) (\\d+)/g)) if (!(m[1] in window.__seen) && Number(m[2]) >= since) window.__seen[m[1]] = now - Number(m[2]);
        }).observe(pre, { childList: true, characterData: true, subtree: true });
      })()`);
      const deadline = Date.now() + 5 * 60_000;
      for (;;) {
        const seen = await page.evaluate<Record<string, number>>('window.__seen');
        if (Object.keys(seen).length >= ticks || Date.now() > deadline) {
          latencies.push(...Object.values(seen));
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await browser.close();
    }
  } finally {
    await p.stop();
    await rm(work, { recursive: true, force: true });
  }

  const kb = (n: number) => (n / 1024).toFixed(1);
  return [
    '## Web console',
    '',
    `First load of \`/console\` in a fresh headless Chromium profile (no cache), ${loads} times: the bytes received over the wire for every request of the page (compressed, headers included, as Chromium counts them) and the time from navigation until the login form is rendered and usable (the Preact app has run). Then a \`ticker\` process writes a line stamped with the wall clock every 500 ms; the console's live log view is open, and the page notes when each line appears (a MutationObserver, same machine, same clock): ${latencies.length} lines.`,
    '',
    '| figure | median | worst |',
    '| --- | --- | --- |',
    `| first load, bytes over the wire (${samples[0]?.requests ?? 0} requests) | ${kb(percentile(samples.map((s) => s.bytes), 50))} KB | ${kb(Math.max(...samples.map((s) => s.bytes)))} KB |`,
    `| first load, time to a usable login form | ${Math.round(percentile(samples.map((s) => s.ms), 50))} ms | ${Math.round(Math.max(...samples.map((s) => s.ms)))} ms |`,
    `| log line written in the container → shown in the page | ${percentile(latencies, 50)} ms | ${Math.max(...latencies)} ms (p95 ${percentile(latencies, 95)} ms) |`,
    '',
    `The script and stylesheet are ${kb(bundle)} KB uncompressed; they are served brotli-compressed and cached for a year under fingerprinted names (index.html is revalidated each time). The machine's load average was ${load.toFixed(1)} when the benchmark started.`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await benchConsole());
}
