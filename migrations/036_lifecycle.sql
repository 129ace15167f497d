-- The app lifecycle (issue 18): the release phase's output, and maintenance mode.

-- What the release phase (Procfile `release:` or app.json `scripts.dokku.predeploy`) and the
-- postdeploy scripts printed for a release (`paas releases:output vN`); NULL: it had none.
ALTER TABLE releases ADD COLUMN phase_output text;

-- Maintenance mode (`paas maintenance:on`): the routers answer 503 with a maintenance page. The app's
-- own page (fetched from its PAAS_MAINTENANCE_PAGE_URL when maintenance is turned on) is kept here.
ALTER TABLE app_router_settings ADD COLUMN maintenance boolean NOT NULL DEFAULT false;
ALTER TABLE app_router_settings ADD COLUMN maintenance_page text CHECK (octet_length(maintenance_page) <= 262144);
