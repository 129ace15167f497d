-- Custom domains and TLS certificates (issue 5). An app's default hostname (<app>.<PAAS_DOMAIN>) is not
-- stored: it follows from the app's name. A hostname belongs to one app at most.
CREATE TABLE domains (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  hostname   text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domains_app ON domains (app_id);

-- Certificates for an app's domains, served by the routers with SNI. The private key is sealed with
-- AES-256-GCM under a key derived from PAAS_SECRET (packages/shared/src/secret-box.ts).
CREATE TABLE certs (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id      uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  names       text[] NOT NULL,
  cert_chain  text NOT NULL,
  key_sealed  text NOT NULL,
  fingerprint text NOT NULL,
  subject     text NOT NULL,
  issuer      text NOT NULL,
  not_before  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (app_id, fingerprint)
);
CREATE INDEX certs_app ON certs (app_id);
