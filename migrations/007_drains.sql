-- Log drains: where an app's log stream is also delivered (HTTPS, syslog over TCP or TLS).
-- Delivery state (cursor, delivered and dropped counts) lives in Redis next to the stream.
CREATE TABLE log_drains (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id      uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  url         text NOT NULL CHECK (length(url) <= 2048),
  token       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (app_id, url)
);
CREATE INDEX log_drains_app ON log_drains (app_id);
