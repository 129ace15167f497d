import type pg from 'pg';
import { AppError, type Logger } from '@paas/shared';
import { affectedFor, buildComponents, buildsWithSboms, listFindings, replaceFindings, storeAdvisories, storeBuildSbom } from '../db/vulns.js';
import { getAppVulnPolicy, listAllowed } from '../db/vuln-policies.js';
import { evaluatePolicy, policyLines, type VulnPolicy } from './vuln-policy.js';
import { severities } from './severity.js';
import { inTransaction } from '../db/queryable.js';
import { componentsOfCycloneDx, openSbom } from './sbom-components.js';
import { matchComponents } from './match.js';
import { parseVulnDb, type VulnDbLimits } from './vulndb-import.js';

export interface ImportResult {
  format: string;
  advisories: number;
  affected: number;
  /** Builds matched again, and the findings they have now. */
  builds: number;
  findings: number;
}

/**
 * Advisories in, findings out: stores each build's SBOM and matches it, imports advisory databases
 * and matches every stored build again, so an old release learns about a new advisory.
 */
export class VulnService {
  constructor(private readonly o: { pool: pg.Pool; log: Logger; limits?: VulnDbLimits; platformPolicy: VulnPolicy }) {}

  get platformPolicy(): VulnPolicy {
    return this.o.platformPolicy;
  }

  /** The policy an app's releases are held to: its own, else the platform's. */
  async policyOf(appId: string): Promise<{ policy: VulnPolicy; source: 'app' | 'platform' }> {
    const own = await getAppVulnPolicy(this.o.pool, appId);
    return own ? { policy: own, source: 'app' } : { policy: this.o.platformPolicy, source: 'platform' };
  }

  /**
   * Before a build becomes a release: its findings in one line, then the policy's verdict. A policy
   * that refuses throws \`release_blocked\` naming each package, version, advisory and fixed version
   * (the push is refused; the release before keeps serving).
   */
  async checkRelease(app: { id: string; name: string }, buildId: string, say: (line: string) => void): Promise<void> {
    const findings = await listFindings(this.o.pool, [buildId]);
    const counts = severities
      .slice()
      .reverse()
      .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`);
    say(`-----> Vulnerabilities: ${counts.length > 0 ? `${counts.join(', ')} (paas releases:vulns -a ${app.name})` : 'none known'}`);
    const { policy } = await this.policyOf(app.id);
    const verdict = evaluatePolicy(policy, findings, await listAllowed(this.o.pool, app.id));
    const lines = policyLines(policy, verdict, app.name);
    if (verdict.action === 'refuse' && verdict.over.length > 0) {
      throw new AppError('release_blocked', lines.join('\n'), { details: { advisories: verdict.over.map((f) => f.advisory_id) } });
    }
    for (const line of lines) say(line.startsWith('Warning') ? ` !     ${line}` : `       ${line}`);
  }

  /** Stores a build's SBOM (the builder's gzipped CycloneDX) and matches it. */
  async recordBuild(appId: string, buildId: string, gzipped: Buffer): Promise<{ components: number; findings: number }> {
    const components = componentsOfCycloneDx(JSON.parse(openSbom(gzipped)));
    await storeBuildSbom(this.o.pool, { buildId, appId, document: gzipped, components });
    const findings = await this.match([buildId]);
    return { components: components.length, findings };
  }

  /** Matches builds against the stored advisories, replacing their findings; returns how many there are. */
  async match(buildIds: string[]): Promise<number> {
    if (buildIds.length === 0) return 0;
    const [components, affected] = await Promise.all([buildComponents(this.o.pool, buildIds), affectedFor(this.o.pool, buildIds)]);
    const findings = matchComponents(components, affected);
    await replaceFindings(this.o.pool, buildIds, findings);
    return findings.length;
  }

  async importDb(upload: Buffer): Promise<ImportResult> {
    const parsed = parseVulnDb(upload, this.o.limits);
    await inTransaction(this.o.pool, (tx) => storeAdvisories(tx, parsed.advisories));
    const builds = await buildsWithSboms(this.o.pool);
    let findings = 0;
    for (let i = 0; i < builds.length; i += 200) findings += await this.match(builds.slice(i, i + 200));
    const affected = parsed.advisories.reduce((n, a) => n + a.affected.length, 0);
    this.o.log.info({ format: parsed.format, advisories: parsed.advisories.length, affected, builds: builds.length, findings }, 'vulnerability database imported');
    return { format: parsed.format, advisories: parsed.advisories.length, affected, builds: builds.length, findings };
  }
}
