-- Access control, second round: revocable sessions (paas logout), one-off processes counted against
-- the processes quota, the plaintext config columns dropped, and a check value of the platform secret.

-- Session JWTs carry a `jti`; `paas logout` records it here and the token fails on the next request.
-- A row can go once its token has expired.
CREATE TABLE revoked_sessions (
  jti        uuid PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_sessions_expires ON revoked_sessions (expires_at);

-- One-off processes (paas run) that are running or starting: reserved under the owner's quota lock
-- like a scale, so they count against the processes quota. `process_id` is set once it has started;
-- a row is deleted when the process has exited (or could not start).
CREATE TABLE one_off_runs (
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  number     integer NOT NULL,
  process_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, number)
);

-- Config vars have been stored encrypted since 003 (the controller encrypts what was left in
-- plaintext before this migration runs: db/config-vars.ts encryptStoredConfig). Refuse to drop the
-- plaintext columns while any value would be lost.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM config_vars WHERE value_enc IS NULL)
     OR EXISTS (SELECT 1 FROM releases WHERE config_enc IS NULL) THEN
    RAISE EXCEPTION 'config vars are still stored in plaintext: start the controller (npm run up), which encrypts them before this migration';
  END IF;
END $$;
ALTER TABLE config_vars DROP COLUMN value;
ALTER TABLE config_vars ALTER COLUMN value_enc SET NOT NULL;
ALTER TABLE releases DROP COLUMN config;
ALTER TABLE releases ALTER COLUMN config_enc SET NOT NULL;

-- A value sealed with the platform secret (PAAS_SECRET), so a controller started with another
-- secret (a fresh PAAS_HOME against this database) refuses to start instead of failing to decrypt.
CREATE TABLE platform_secret_check (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  sealed     bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
