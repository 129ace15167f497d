-- Add-ons (issue 18): PostgreSQL databases and Redis users provisioned for apps on platform or
-- operator-registered servers. Credentials (the servers' admin URLs, the add-ons' URLs) are stored
-- encrypted with the config cipher, bound to their row.

-- Servers an operator registered (paas admin:addon-servers:add); the platform's own servers come
-- from the controller's configuration and have no row.
CREATE TABLE addon_servers (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind       text NOT NULL CHECK (kind IN ('postgres', 'redis')),
  -- host:port, for listings (the URL with its password is url_enc).
  endpoint   text NOT NULL,
  url_enc    bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, endpoint)
);

CREATE TABLE addons (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Globally unique, e.g. postgres-3f9a1c2b: how the owner names it in addons:* commands.
  name            text NOT NULL UNIQUE,
  kind            text NOT NULL CHECK (kind IN ('postgres', 'redis')),
  -- shared: a database or user on a shared server; container: a server of its own (Redis).
  engine          text NOT NULL DEFAULT 'shared' CHECK (engine IN ('shared', 'container')),
  plan            text NOT NULL,
  owner_id        uuid NOT NULL REFERENCES users(id),
  -- The app it was created for: destroying that app destroys the add-on.
  app_id          uuid NOT NULL REFERENCES apps(id),
  -- NULL: the platform's own server of that kind.
  server_id       uuid REFERENCES addon_servers(id),
  -- The database and role (postgres) or ACL user and key prefix (redis) on the server.
  resource        text NOT NULL,
  url_enc         bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addons_owner ON addons (owner_id);
CREATE INDEX addons_app ON addons (app_id);

-- Which apps see an add-on, and under which config var (<as>_URL).
CREATE TABLE addon_attachments (
  addon_id   uuid NOT NULL REFERENCES addons(id) ON DELETE CASCADE,
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  as_name    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (addon_id, app_id),
  UNIQUE (app_id, as_name)
);
