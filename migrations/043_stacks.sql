-- Stacks (issue 24): the Debian release an app builds and runs on (paas/build:<stack>, paas/run:<stack>).
-- Apps made before this migration keep bookworm; apps made after it get trixie, the column's default
-- from here on. `paas stack:set` changes it, and the next build uses it.
ALTER TABLE apps ADD COLUMN stack text NOT NULL DEFAULT 'bookworm' CHECK (stack IN ('bookworm', 'trixie'));
ALTER TABLE apps ALTER COLUMN stack SET DEFAULT 'trixie';

-- The stack a build ran on (the app's `stack` is the current release's build's); NULL: built before stacks (bookworm).
ALTER TABLE builds ADD COLUMN stack text CHECK (stack IN ('bookworm', 'trixie'));
