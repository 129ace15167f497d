import type { Queryable } from './queryable.js';

export type WebhookLevel = 'notify' | 'sync';
export type DeliveryStatus = 'pending' | 'scheduled' | 'retrying' | 'failed' | 'succeeded';

export interface WebhookRow {
  id: string;
  app_id: string;
  url: string;
  level: WebhookLevel;
  include: string[];
  secret_sealed: Buffer;
  authorization_sealed: Buffer | null;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookEventRow {
  id: string;
  app_id: string;
  include: string;
  payload: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookDeliveryRow {
  id: string;
  app_id: string;
  webhook_id: string;
  event_id: string;
  status: DeliveryStatus;
  num_attempts: number;
  next_attempt_at: Date | null;
  last_attempt_id: string | null;
  last_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** Joined. */
  include: string;
  level: WebhookLevel;
}

const hookColumns = 'id, app_id, url, level, include, secret_sealed, authorization_sealed, created_at, updated_at';
const deliveryColumns = `d.id, d.app_id, d.webhook_id, d.event_id, d.status, d.num_attempts, d.next_attempt_at, d.last_attempt_id, d.last_code,
  d.last_error, d.last_attempt_at, d.created_at, d.updated_at, e.include, w.level`;
const deliveryFrom = 'app_webhook_deliveries d JOIN app_webhook_events e ON e.id = d.event_id JOIN app_webhooks w ON w.id = d.webhook_id';

/** How long events and their deliveries are kept (Heroku keeps them 7 days). */
export const webhookEventsKeptDays = 7;

export async function insertWebhook(
  db: Queryable,
  w: { id: string; appId: string; url: string; level: WebhookLevel; include: string[]; secretSealed: Buffer; authorizationSealed: Buffer | null },
): Promise<WebhookRow> {
  const { rows } = await db.query<WebhookRow>(
    `INSERT INTO app_webhooks (id, app_id, url, level, include, secret_sealed, authorization_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${hookColumns}`,
    [w.id, w.appId, w.url, w.level, w.include, w.secretSealed, w.authorizationSealed],
  );
  return rows[0]!;
}

export async function updateWebhook(
  db: Queryable,
  appId: string,
  id: string,
  patch: { url?: string; level?: WebhookLevel; include?: string[]; secretSealed?: Buffer; authorizationSealed?: Buffer | null },
): Promise<WebhookRow | undefined> {
  const { rows } = await db.query<WebhookRow>(
    `UPDATE app_webhooks SET url = COALESCE($3, url), level = COALESCE($4, level), include = COALESCE($5, include),
        secret_sealed = COALESCE($6, secret_sealed),
        authorization_sealed = CASE WHEN $7::boolean THEN $8 ELSE authorization_sealed END, updated_at = now()
      WHERE app_id = $1 AND id = $2 RETURNING ${hookColumns}`,
    [appId, id, patch.url ?? null, patch.level ?? null, patch.include ?? null, patch.secretSealed ?? null, patch.authorizationSealed !== undefined, patch.authorizationSealed ?? null],
  );
  return rows[0];
}

export async function listWebhooks(db: Queryable, appId: string): Promise<WebhookRow[]> {
  const { rows } = await db.query<WebhookRow>(`SELECT ${hookColumns} FROM app_webhooks WHERE app_id = $1 ORDER BY created_at, id`, [appId]);
  return rows;
}

export async function getWebhook(db: Queryable, appId: string, id: string): Promise<WebhookRow | undefined> {
  const { rows } = await db.query<WebhookRow>(`SELECT ${hookColumns} FROM app_webhooks WHERE app_id = $1 AND id = $2`, [appId, id]);
  return rows[0];
}

export async function deleteWebhook(db: Queryable, appId: string, id: string): Promise<WebhookRow | undefined> {
  const { rows } = await db.query<WebhookRow>(`DELETE FROM app_webhooks WHERE app_id = $1 AND id = $2 RETURNING ${hookColumns}`, [appId, id]);
  return rows[0];
}

/** The app's webhooks subscribed to `entity`. */
export async function webhooksFor(db: Queryable, appId: string, entity: string): Promise<WebhookRow[]> {
  const { rows } = await db.query<WebhookRow>(`SELECT ${hookColumns} FROM app_webhooks WHERE app_id = $1 AND $2 = ANY(include)`, [appId, entity]);
  return rows;
}

/** Records an event and a pending delivery of it to each webhook; returns the deliveries' ids. Drops the app's events past their keeping. */
export async function insertEventWithDeliveries(db: Queryable, appId: string, include: string, payload: Record<string, unknown>, webhookIds: string[]): Promise<{ eventId: string; deliveries: { id: string; webhookId: string }[] }> {
  await db.query(`DELETE FROM app_webhook_events WHERE app_id = $1 AND created_at < now() - make_interval(days => $2)`, [appId, webhookEventsKeptDays]);
  const { rows } = await db.query<{ id: string }>('INSERT INTO app_webhook_events (app_id, include, payload) VALUES ($1, $2, $3) RETURNING id', [appId, include, payload]);
  const eventId = rows[0]!.id;
  const { rows: deliveries } = await db.query<{ id: string; webhook_id: string }>(
    `INSERT INTO app_webhook_deliveries (app_id, webhook_id, event_id) SELECT $1, w, $2 FROM unnest($3::uuid[]) AS w RETURNING id, webhook_id`,
    [appId, eventId, webhookIds],
  );
  return { eventId, deliveries: deliveries.map((d) => ({ id: d.id, webhookId: d.webhook_id })) };
}

export async function listWebhookEvents(db: Queryable, appId: string, limit: number): Promise<WebhookEventRow[]> {
  const { rows } = await db.query<WebhookEventRow>('SELECT * FROM app_webhook_events WHERE app_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [appId, limit]);
  return rows;
}

export async function getWebhookEvent(db: Queryable, appId: string, id: string): Promise<WebhookEventRow | undefined> {
  const { rows } = await db.query<WebhookEventRow>('SELECT * FROM app_webhook_events WHERE app_id = $1 AND id = $2', [appId, id]);
  return rows[0];
}

export async function listWebhookDeliveries(db: Queryable, appId: string, limit: number, webhookId?: string): Promise<WebhookDeliveryRow[]> {
  const { rows } = await db.query<WebhookDeliveryRow>(
    `SELECT ${deliveryColumns} FROM ${deliveryFrom} WHERE d.app_id = $1 AND ($3::uuid IS NULL OR d.webhook_id = $3) ORDER BY d.created_at DESC, d.id DESC LIMIT $2`,
    [appId, limit, webhookId ?? null],
  );
  return rows;
}

export async function getWebhookDelivery(db: Queryable, appId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
  const { rows } = await db.query<WebhookDeliveryRow>(`SELECT ${deliveryColumns} FROM ${deliveryFrom} WHERE d.app_id = $1 AND d.id = $2`, [appId, id]);
  return rows[0];
}

/** What the worker needs to send a delivery: the webhook (as it is now) and the event. Undefined when either is gone. */
export async function deliveryToSend(db: Queryable, id: string): Promise<{ delivery: WebhookDeliveryRow; webhook: WebhookRow; event: WebhookEventRow } | undefined> {
  const { rows } = await db.query<WebhookDeliveryRow & { w: WebhookRow; e: WebhookEventRow }>(
    `SELECT ${deliveryColumns}, row_to_json(w.*) AS w, row_to_json(e.*) AS e FROM ${deliveryFrom} WHERE d.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { w, e, ...delivery } = row;
  // row_to_json spells bytea as \x… hex text.
  const bytes = (v: unknown): Buffer | null => (typeof v === 'string' ? Buffer.from(v.replace(/^\\x/, ''), 'hex') : null);
  const webhook: WebhookRow = { ...w, secret_sealed: bytes(w.secret_sealed)!, authorization_sealed: bytes(w.authorization_sealed), created_at: new Date(w.created_at), updated_at: new Date(w.updated_at) };
  return { delivery, webhook, event: { ...e, created_at: new Date(e.created_at), updated_at: new Date(e.updated_at) } };
}

/** One attempt's outcome. */
export async function recordDeliveryAttempt(
  db: Queryable,
  id: string,
  a: { attemptId: string; status: DeliveryStatus; code: number | null; error: string | null; nextAttemptAt: Date | null },
): Promise<void> {
  await db.query(
    `UPDATE app_webhook_deliveries SET status = $2, num_attempts = num_attempts + 1, last_attempt_id = $3, last_code = $4, last_error = $5,
        last_attempt_at = now(), next_attempt_at = $6, updated_at = now() WHERE id = $1`,
    [id, a.status, a.attemptId, a.code, a.error, a.nextAttemptAt],
  );
}
