-- Access control: disabled users and revocable sessions, collaborators, per-user quotas, the audit
-- log, login rate limiting, and config vars encrypted at rest.

-- A session JWT carries the user's token_version; bumping it (or disabling the user) revokes every
-- session at once. API tokens are revoked by deleting their row.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

CREATE TABLE collaborators (
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, user_id)
);
CREATE INDEX collaborators_user ON collaborators (user_id);

-- Per-user limits; NULL means the platform default (PAAS_DEFAULT_QUOTA_*).
CREATE TABLE quotas (
  user_id    uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  apps       integer CHECK (apps >= 0),
  processes  integer CHECK (processes >= 0),
  memory_mb  integer CHECK (memory_mb > 0),
  builds     integer CHECK (builds >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX apps_owner ON apps (owner_id);

-- Who did what to which app or user, when and from where. Names are copied, not referenced, so the
-- log outlives the apps and users it mentions.
CREATE TABLE audit_events (
  id          bigserial PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  actor_id    uuid REFERENCES users(id) ON DELETE SET NULL,
  actor_email text,
  action      text NOT NULL,
  app         text,
  target_user text,
  ip          text,
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_actor ON audit_events (actor_email, id DESC);
CREATE INDEX audit_events_app ON audit_events (app, id DESC);
CREATE INDEX audit_events_action ON audit_events (action, id DESC);

-- Fixed one-minute windows of login attempts per key (`email:…`, `ip:…`), shared by every controller.
CREATE TABLE login_attempts (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  attempts     integer NOT NULL
);

-- Config vars at rest: AES-256-GCM ciphertext. The plaintext columns are emptied by the controller
-- at start (it holds the key) and no longer written.
ALTER TABLE config_vars ADD COLUMN value_enc bytea;
ALTER TABLE config_vars ALTER COLUMN value DROP NOT NULL;
ALTER TABLE releases ADD COLUMN config_enc bytea;
