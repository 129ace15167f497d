-- Per-app router settings (issue 5), set with `paas router:set`: redirect plain HTTP to HTTPS, and the
-- request body limit. No row (or NULL) means the router's defaults (PAAS_ROUTER_HTTPS_REDIRECT,
-- PAAS_ROUTER_MAX_BODY_MB). Published to the routers in the app's route.
CREATE TABLE app_router_settings (
  app_id         uuid PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
  https_redirect boolean NOT NULL DEFAULT false,
  max_body_mb    integer CHECK (max_body_mb BETWEEN 1 AND 10240),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
