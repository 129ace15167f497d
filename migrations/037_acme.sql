-- Automatic certificates over ACME (issue 18): apps that asked for them, the state of each of their
-- custom domains, and the platform's ACME account per directory (its key encrypted).
CREATE TABLE acme_apps (
  app_id     uuid PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
  enabled_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE acme_domains (
  app_id          uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  hostname        text NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'issued', 'failed')),
  -- The CA's reason for the last failure.
  message         text,
  cert_id         uuid REFERENCES certs(id) ON DELETE SET NULL,
  expires_at      timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, hostname)
);

CREATE TABLE acme_accounts (
  directory_url text PRIMARY KEY,
  key_enc       bytea NOT NULL,
  account_url   text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
