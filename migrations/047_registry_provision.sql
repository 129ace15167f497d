-- paas's own certificate authority (one row): engines provisioned over SSH listen with TLS under
-- its server certificates, the controller presents its client certificates, the embedded registry
-- serves a cluster with one. The key is sealed with the platform secret (SecretBox, 'platform ca').
CREATE TABLE platform_ca (
  id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  cert        text NOT NULL,
  key_sealed  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- SSH host keys pinned on first use (hosts:provision): a server at this address and port that
-- later shows another key is refused.
CREATE TABLE ssh_host_keys (
  address      text NOT NULL,
  port         integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  key_type     text NOT NULL,
  fingerprint  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (address, port)
);

-- How a provisioned host is reached over SSH (user, address, port, the sealed key), and when its
-- engine's certificates expire; NULL for hosts added by URL (hosts:add).
ALTER TABLE hosts ADD COLUMN provision jsonb;
