-- App webhooks (issue 24), as Heroku's: an app's subscriptions to its own events, the events
-- published to them and each delivery's state. The secret signs deliveries (HMAC-SHA256) and the
-- Authorization header value is sent with them: both sealed with the platform's SecretBox, bound to
-- the webhook's id.
CREATE TABLE app_webhooks (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id               uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  url                  text NOT NULL CHECK (length(url) <= 2048),
  level                text NOT NULL CHECK (level IN ('notify', 'sync')),
  include              text[] NOT NULL,
  secret_sealed        bytea NOT NULL,
  authorization_sealed bytea,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_webhooks_app ON app_webhooks (app_id);

-- Events are kept 7 days (as Heroku's), only while a webhook of the app subscribes to their entity.
CREATE TABLE app_webhook_events (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  include    text NOT NULL,
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_webhook_events_app ON app_webhook_events (app_id, created_at DESC);

CREATE TABLE app_webhook_deliveries (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  app_id          uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  webhook_id      uuid NOT NULL REFERENCES app_webhooks(id) ON DELETE CASCADE,
  event_id        uuid NOT NULL REFERENCES app_webhook_events(id) ON DELETE CASCADE,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'scheduled', 'retrying', 'failed', 'succeeded')),
  num_attempts    integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_attempt_id uuid,
  last_code       integer,
  last_error      text,
  last_attempt_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_webhook_deliveries_app ON app_webhook_deliveries (app_id, created_at DESC);
