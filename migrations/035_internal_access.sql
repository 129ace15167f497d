-- Service discovery between apps (issue 14, item 2): the apps a target app's owner allows to reach
-- it at `<target>.<PAAS_INTERNAL_DOMAIN>` through a router's internal listener (`paas network:allow
-- SOURCE -a TARGET`). No row: refused, also between apps of the same owner. A row goes with either app.
CREATE TABLE internal_access (
  target_app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  source_app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  created_by    uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_app_id, source_app_id),
  CHECK (target_app_id <> source_app_id)
);
CREATE INDEX internal_access_source ON internal_access (source_app_id);
