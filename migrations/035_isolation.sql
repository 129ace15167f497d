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

-- The operator's per-app loosening of the container hardening (issue 14, item 3): only an admin sets
-- it (PUT /admin/apps/{app}/hardening, audited as hardening.update); nothing an app declares reaches
-- it. No row: the defaults (no capabilities, no-new-privileges, PAAS_APP_PIDS_LIMIT, a root image run
-- as 10000). Capabilities are at most the engine's default set; never privileged, never host mounts.
CREATE TABLE app_hardening (
  app_id            uuid PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
  cap_add           text[] NOT NULL DEFAULT '{}' CHECK (cap_add <@ ARRAY['AUDIT_WRITE','CHOWN','DAC_OVERRIDE','FOWNER','FSETID','KILL','MKNOD','NET_BIND_SERVICE','NET_RAW','SETFCAP','SETGID','SETPCAP','SETUID','SYS_CHROOT']),
  pids_limit        integer CHECK (pids_limit BETWEEN 16 AND 1000000),
  image_user        boolean NOT NULL DEFAULT false,
  no_new_privileges boolean NOT NULL DEFAULT true,
  reason            text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  updated_by        uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
