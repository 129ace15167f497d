-- Docker hosts the scheduler places processes on, and per-type process limits.
CREATE TABLE hosts (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                text NOT NULL UNIQUE,
  docker_url          text NOT NULL,
  address             text NOT NULL,
  capacity_memory_mb  integer CHECK (capacity_memory_mb > 0),
  labels              jsonb NOT NULL DEFAULT '{}',
  tls                 jsonb,
  status              text NOT NULL DEFAULT 'up' CHECK (status IN ('up', 'down')),
  draining            boolean NOT NULL DEFAULT false,
  last_seen_at        timestamptz,
  last_error          text,
  created_at          timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE formation
  ADD COLUMN memory_mb integer CHECK (memory_mb IS NULL OR memory_mb BETWEEN 16 AND 262144),
  ADD COLUMN cpus numeric(6, 2) CHECK (cpus IS NULL OR (cpus > 0 AND cpus <= 256));

-- app.json of the release's commit (health checks, …), when the app has one.
ALTER TABLE releases ADD COLUMN app_json jsonb;
