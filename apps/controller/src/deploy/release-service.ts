import type pg from 'pg';
import type { ProcessTypes } from '@paas/shared';
import { nextReleaseVersion, type AppRow } from '../db/apps.js';
import { getConfigVars } from '../db/config-vars.js';
import { initFormation } from '../db/formation.js';
import { currentRelease, insertRelease, type ReleaseRow } from '../db/releases.js';
import type { Deployer } from './deployer.js';
import { type SecretBox } from '@paas/shared';
import type { ReleasePhase } from './release-phase.js';
import type { WebhookPublisher } from '../webhooks/webhook-service.js';

export interface ReleaseInput {
  image: string;
  processTypes: ProcessTypes;
  buildId: string | null;
  description: string;
  userId: string | null;
  /** app.json of the commit (health checks), carried by every later release of the same build. */
  appJson?: Record<string, unknown> | null;
}

/** Releases are immutable (image + config + process types); each one is deployed as it is made. */
export class ReleaseService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly deployer: Deployer,
    /** Config vars and release snapshots are stored encrypted. */
    private readonly cipher: SecretBox,
    /** The release phase and postdeploy scripts (none: they do not run). */
    private readonly phase?: ReleasePhase,
    /** Announces releases to the app's webhooks (api:release). */
    private readonly publish?: WebhookPublisher,
  ) {}

  private announce(app: AppRow, release: ReleaseRow, action: 'create' | 'update', status: 'pending' | 'succeeded' | 'failed'): void {
    if (!this.publish) return;
    const appRef = { id: app.id, name: app.name };
    void this.publish({
      app: appRef,
      entity: 'api:release',
      action,
      data: {
        id: release.id,
        version: release.version,
        description: release.description,
        status,
        current: status === 'succeeded',
        app: appRef,
        slug: release.build_id ? { id: release.build_id } : null,
        user: { id: release.user_id, email: release.user_email },
        created_at: release.created_at.toISOString(),
        updated_at: new Date().toISOString(),
      },
      previousData: action === 'update' ? { status: 'pending' } : {},
      actor: { id: release.user_id, email: release.user_email },
    });
  }

  /**
   * Makes and deploys a release. Its release phase runs before any of its processes start (a failure
   * refuses the release, the previous one keeps serving); its postdeploy scripts once it serves.
   */
  async release(app: AppRow, input: ReleaseInput, say: (line: string) => void = () => {}): Promise<ReleaseRow> {
    const firstDeploy = (await currentRelease(this.pool, this.cipher, app.id)) === undefined;
    const version = await nextReleaseVersion(this.pool, app.id);
    const config = await getConfigVars(this.pool, this.cipher, app.id);
    const release = await insertRelease(this.pool, this.cipher, {
      appId: app.id,
      version,
      buildId: input.buildId,
      image: input.image,
      config,
      processTypes: input.processTypes,
      description: input.description,
      userId: input.userId,
      appJson: input.appJson ?? null,
    });
    this.announce(app, release, 'create', 'pending');
    try {
      await initFormation(this.pool, app.id, Object.keys(input.processTypes));
      const phase = this.phase;
      await this.deployer.deploy(app, release, say, phase && (() => phase.before(app, release, say)));
      // Serving: the postdeploy scripts' failure is reported without undoing it.
      this.announce(app, release, 'update', 'succeeded');
      await phase?.after(app, release, firstDeploy, say);
    } catch (err) {
      if ((await currentRelease(this.pool, this.cipher, app.id).catch(() => undefined))?.id !== release.id) this.announce(app, release, 'update', 'failed');
      throw err;
    }
    return { ...release, status: 'succeeded' };
  }

  /** A config change makes a new release of the current image; before the first deploy there is nothing to release. */
  async releaseConfigChange(app: AppRow, description: string, userId: string): Promise<ReleaseRow | undefined> {
    const current = await currentRelease(this.pool, this.cipher, app.id);
    if (!current) return undefined;
    return this.release(app, {
      image: current.image,
      processTypes: current.process_types,
      buildId: current.build_id,
      description,
      userId,
      appJson: current.app_json,
    });
  }
}
