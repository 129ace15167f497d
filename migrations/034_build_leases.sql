-- A lease on each build in progress: the controller whose push drives the build holds it (its id and
-- an expiry it renews while the build runs). A controller that starts, or a second one, fails only the
-- builds whose lease expired (their controller died), never a build a live controller is running.
ALTER TABLE builds ADD COLUMN lease_holder text;
ALTER TABLE builds ADD COLUMN lease_expires_at timestamptz;
