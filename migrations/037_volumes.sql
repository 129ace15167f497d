-- Volumes (issue 18): Docker volumes mounted into an app's processes of some types. A volume of the
-- local driver lives on one host (`host`), and the processes that mount it run there.
CREATE TABLE volumes (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name       text NOT NULL,
  mount      text NOT NULL,
  -- Process types that mount it; empty: every type.
  types      text[] NOT NULL DEFAULT '{}',
  driver     text NOT NULL DEFAULT 'local',
  options    jsonb NOT NULL DEFAULT '{}',
  -- The host holding it (local volumes only; NULL: any host reaches its storage).
  host       text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (app_id, name),
  UNIQUE (app_id, mount)
);
