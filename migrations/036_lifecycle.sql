-- The app lifecycle (issue 18): the release phase's output, and maintenance mode.

-- What the release phase (Procfile `release:` or app.json `scripts.dokku.predeploy`) and the
-- postdeploy scripts printed for a release (`paas releases:output vN`); NULL: it had none.
ALTER TABLE releases ADD COLUMN phase_output text;

-- Maintenance mode (`paas maintenance:on`): the routers answer 503 with a maintenance page. The app's
-- own page (fetched from its PAAS_MAINTENANCE_PAGE_URL when maintenance is turned on) is kept here.
ALTER TABLE app_router_settings ADD COLUMN maintenance boolean NOT NULL DEFAULT false;
ALTER TABLE app_router_settings ADD COLUMN maintenance_page text CHECK (octet_length(maintenance_page) <= 262144);

-- app.json `cron` runs (Dokku's shape: [{command, schedule}]): one row per job and tick, claimed by
-- the controller whose INSERT wins, so a tick runs once however many controllers there are.
CREATE TABLE cron_runs (
  app_id      uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  job_id      text NOT NULL,
  tick        timestamptz NOT NULL,
  process     text,
  exit_code   integer,
  error       text,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (app_id, job_id, tick)
);
CREATE INDEX cron_runs_started ON cron_runs (started_at);
