import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatKeyValues, formatTable } from '../table.js';
import { vulnsApi, type ReleaseVulns } from '../vulns-client.js';

const severityNames = ['critical', 'high', 'medium', 'low', 'unknown'];

/** `v3`, `3` or nothing (the current release). */
function releaseRef(ref: string | undefined): string {
  if (ref === undefined) return 'current';
  if (!/^v?\d{1,9}$/i.test(ref)) throw new CliError(`${ref} is not a release: name one as v3`);
  return ref;
}

function countsLine(counts: Record<string, number>): string {
  const parts = severityNames.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'none known';
}

/**
 * `releases:sbom`, `releases:vulns`, `apps:vulns`, `vulns:policy`, `vulns:policy:set`,
 * `vulns:policy:reset`, `vulns:allow`, `vulns:allowed`, `vulns:allow:remove`, `admin:vulndb`,
 * `admin:vulndb:import`.
 */
export function registerVulnsCommands(program: Command, ctx: Context): void {
  program
    .command('releases:sbom')
    .description("print a release image's software bill of materials (default: the current release)")
    .argument('[release]', 'the release, e.g. v3')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('--format <format>', 'cyclonedx (CycloneDX 1.6 JSON) or spdx (SPDX 2.3 JSON)', 'cyclonedx')
    .action(async (ref: string | undefined, opts: { app?: string; format: string }) => {
      if (opts.format !== 'cyclonedx' && opts.format !== 'spdx') throw new CliError('--format: cyclonedx or spdx');
      const app = await ctx.app(opts.app);
      const res = await vulnsApi.sbom(await ctx.client(), app, releaseRef(ref), opts.format);
      const decoder = new TextDecoder();
      if (res.body) for await (const chunk of res.body) ctx.io.stdout.write(decoder.decode(chunk, { stream: true }));
      ctx.io.stdout.write(`${decoder.decode()}\n`);
    });

  program
    .command('releases:vulns')
    .description('list known vulnerabilities in a release image, most severe first, with the fixed versions')
    .argument('[release]', 'the release, e.g. v3 (default: the current one)')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('--severity <severity>', 'only findings at or above: critical, high, medium, low')
    .option('--json', 'output as JSON')
    .action(async (ref: string | undefined, opts: { app?: string; severity?: string; json?: boolean }) => {
      if (opts.severity !== undefined && !severityNames.includes(opts.severity)) throw new CliError('--severity: critical, high, medium, low or unknown');
      const app = await ctx.app(opts.app);
      const res = await vulnsApi.releaseVulns(await ctx.client(), app, releaseRef(ref), opts.severity);
      if (opts.json) return ctx.printJson(res);
      for (const line of formatReleaseVulns(app, res)) ctx.print(line);
    });

  program
    .command('apps:vulns')
    .description('known vulnerabilities in the live release of each of your apps, by severity')
    .option('--json', 'output as JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await vulnsApi.appsVulns(await ctx.client());
      if (opts.json) return ctx.printJson(list);
      const total: Record<string, number> = {};
      for (const a of list) for (const [s, n] of Object.entries(a.counts)) total[s] = (total[s] ?? 0) + n;
      ctx.print('=== Known vulnerabilities in live releases');
      const rows = list.map((a) => [a.app, a.release === null ? '(no release)' : `v${a.release}`, a.has_sbom ? countsLine(a.counts) : '(no SBOM)']);
      for (const line of formatTable(rows)) ctx.print(line);
      ctx.print(`Total: ${countsLine(total)}`);
    });

  program
    .command('vulns:policy')
    .description("show the release policy on known vulnerabilities the app's pushes are held to")
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      const [policy, allowed] = await Promise.all([vulnsApi.policy(client, app), vulnsApi.allowed(client, app)]);
      if (opts.json) return ctx.printJson({ ...policy, allowed });
      ctx.print(`=== ${app} Vulnerability policy`);
      for (const line of formatKeyValues([
        ['Action', policy.action],
        ['Severity', `${policy.severity} and above`],
        ['Set by', policy.source === 'app' ? 'the app' : 'the platform (PAAS_VULN_POLICY)'],
        ['Allowed', allowed.length === 0 ? '(none)' : allowed.map((a) => `${a.advisory} until ${a.expires_at.slice(0, 10)}${a.expired ? ' (expired)' : ''}`).join(', ')],
      ])) ctx.print(line);
    });

  program
    .command('vulns:policy:set')
    .description('warn about, or refuse, releases with known vulnerabilities at or above a severity (off: neither)')
    .argument('<action>', 'off, warn or refuse')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('--severity <severity>', 'critical, high, medium or low', 'high')
    .action(async (action: string, opts: { app?: string; severity: string }) => {
      if (!['off', 'warn', 'refuse'].includes(action)) throw new CliError('the action is off, warn or refuse');
      const app = await ctx.app(opts.app);
      const p = await vulnsApi.setPolicy(await ctx.client(), app, { action, severity: opts.severity });
      ctx.print(`${app}: ${p.action === 'off' ? 'no vulnerability policy' : `${p.action} at ${p.severity} and above`}`);
    });

  program
    .command('vulns:policy:reset')
    .description("drop the app's own policy: the platform's applies")
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .action(async (opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const p = await vulnsApi.resetPolicy(await ctx.client(), app);
      ctx.print(`${app}: the platform's policy applies (${p.action} at ${p.severity} and above)`);
    });

  program
    .command('vulns:allow')
    .description('let one advisory through the release policy until a date')
    .argument('<advisory>', 'its id or an alias, e.g. GHSA-xxxx-xxxx-xxxx or CVE-2024-1234')
    .requiredOption('--expires <date>', 'when it stops counting, YYYY-MM-DD (at most a year ahead)')
    .option('--reason <text>', 'why', '')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .action(async (advisory: string, opts: { expires: string; reason: string; app?: string }) => {
      const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(opts.expires) ? `${opts.expires}T00:00:00Z` : opts.expires);
      if (Number.isNaN(date.getTime())) throw new CliError('--expires: a date such as 2026-12-31');
      const app = await ctx.app(opts.app);
      const e = await vulnsApi.allow(await ctx.client(), app, advisory, { expires_at: date.toISOString(), reason: opts.reason });
      ctx.print(`${app} allows ${e.advisory} until ${e.expires_at.slice(0, 10)}`);
    });

  program
    .command('vulns:allowed')
    .description("list the advisories the app's release policy lets through")
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const list = await vulnsApi.allowed(await ctx.client(), app);
      if (opts.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.print(`${app} allows no advisories`);
      for (const line of formatTable(list.map((e) => [e.advisory, `until ${e.expires_at.slice(0, 10)}${e.expired ? ' (expired)' : ''}`, e.reason]))) ctx.print(line);
    });

  program
    .command('vulns:allow:remove')
    .description('remove an advisory from the allow-list')
    .argument('<advisory>')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .action(async (advisory: string, opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      await vulnsApi.disallow(await ctx.client(), app, advisory);
      ctx.print(`${app} no longer allows ${advisory}`);
    });

  program
    .command('admin:vulndb:import')
    .description("import advisories: an OSV zip, a directory or JSON array of OSV records, or the Debian security tracker's JSON (admins only)")
    .argument('<file>')
    .option('--json', 'output as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { body, contentType } = await readDatabase(file);
      const client = await ctx.client();
      if (opts.json) return ctx.printJson(await vulnsApi.importDb(client, body, contentType));
      const res = await ctx.step(`Importing ${file}`, () => vulnsApi.importDb(client, body, contentType));
      ctx.print(`Imported ${res.advisories} advisories (${res.format}, ${res.affected} affected packages); ${res.builds} builds matched again: ${res.findings} findings`);
    });

  program
    .command('admin:vulndb')
    .description('show the advisory database: how many advisories, from where (admins only)')
    .option('--json', 'output as JSON')
    .action(async (opts: { json?: boolean }) => {
      const s = await vulnsApi.dbStatus(await ctx.client());
      if (opts.json) return ctx.printJson(s);
      for (const line of formatKeyValues([
        ['Advisories', String(s.advisories)],
        ...Object.entries(s.by_source).map(([k, v]) => [`  ${k}`, String(v)] as [string, string]),
        ['Last import', s.last_import ?? 'never'],
      ])) ctx.print(line);
    });
}

/** A file as is (zip or JSON), or a directory's *.json OSV records as one JSON array. */
async function readDatabase(path: string): Promise<{ body: Uint8Array; contentType: string }> {
  const info = await stat(path).catch(() => {
    throw new CliError(`${path}: no such file or directory`);
  });
  if (!info.isDirectory()) {
    const body = await readFile(path);
    return { body, contentType: body.subarray(0, 2).toString() === 'PK' ? 'application/zip' : 'application/json' };
  }
  const records: unknown[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.name.endsWith('.json')) {
        let doc: unknown;
        try {
          doc = JSON.parse(await readFile(full, 'utf8'));
        } catch (err) {
          throw new CliError(`${full}: not JSON (${(err as Error).message})`);
        }
        if (Array.isArray(doc)) records.push(...(doc as unknown[]));
        else records.push(doc);
      }
    }
  };
  await walk(path);
  return { body: Buffer.from(JSON.stringify(records)), contentType: 'application/json' };
}

export function formatReleaseVulns(app: string, r: ReleaseVulns): string[] {
  const lines = [`=== ${app} v${r.release.version}: ${r.components} components, ${countsLine(r.counts)}`];
  if (r.findings.length === 0) return lines;
  lines.push(
    ...formatTable([
      ['SEVERITY', 'PACKAGE', 'VERSION', 'ADVISORY', 'FIXED IN'],
      ...r.findings.map((f) => [f.severity + (f.score !== null ? ` ${f.score}` : ''), f.package, f.version, f.advisory, f.fixed ?? '(no fix yet)']),
    ]),
  );
  if (r.truncated) lines.push('(more findings than shown: narrow with --severity)');
  lines.push(`Policy: ${r.policy.action} at ${r.policy.severity} and above (${r.policy.source === 'app' ? 'the app' : 'the platform'})`);
  return lines;
}
