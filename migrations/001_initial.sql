-- Users, API tokens, apps, config vars, builds, releases and formation.
CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role          text NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash   text NOT NULL UNIQUE,
  description  text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);

CREATE TABLE apps (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE,
  owner_id    uuid NOT NULL REFERENCES users(id),
  buildpacks  text[] NOT NULL DEFAULT '{}',
  release_seq integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE config_vars (
  app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  key    text NOT NULL,
  value  text NOT NULL,
  PRIMARY KEY (app_id, key)
);

CREATE TABLE builds (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id        uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  user_id       uuid REFERENCES users(id) ON DELETE SET NULL,
  commit        text NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'building', 'succeeded', 'failed')),
  output        text NOT NULL DEFAULT '',
  error         text,
  image         text,
  process_types jsonb,
  buildpack     text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
-- One build at a time per app: a second push while one runs is refused, never raced.
CREATE UNIQUE INDEX builds_one_active_per_app ON builds (app_id) WHERE status IN ('pending', 'building');
CREATE INDEX builds_app_created ON builds (app_id, created_at DESC);

CREATE TABLE releases (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id        uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  version       integer NOT NULL,
  build_id      uuid REFERENCES builds(id) ON DELETE SET NULL,
  image         text NOT NULL,
  config        jsonb NOT NULL DEFAULT '{}',
  process_types jsonb NOT NULL DEFAULT '{}',
  description   text NOT NULL,
  user_id       uuid REFERENCES users(id) ON DELETE SET NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (app_id, version)
);

CREATE TABLE formation (
  app_id   uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  type     text NOT NULL,
  quantity integer NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (app_id, type)
);
