-- Leases on the work a controller drives: its id and an expiry it renews while the work runs.
-- A build's lease is held by the controller whose push drives it; a controller that starts, or a
-- second one, fails only the builds whose lease expired (their controller died), never a build a
-- live controller is running.
ALTER TABLE builds ADD COLUMN lease_holder text;
ALTER TABLE builds ADD COLUMN lease_expires_at timestamptz;
-- A release being deployed (pending) is leased by the controller deploying it. When that controller
-- dies the lease runs out: the next reconcile pass of any controller rolls the deploy back (stops the
-- release's processes; the previous release kept serving throughout) and marks the release failed.
ALTER TABLE releases ADD COLUMN lease_holder text;
ALTER TABLE releases ADD COLUMN lease_expires_at timestamptz;
