-- Builds from a source tarball (issue 24, POST /apps/{app}/builds): where the source came from, as
-- Heroku's build resource shows it (source_blob). Null for pushes.
ALTER TABLE builds
  ADD COLUMN source_url text CHECK (length(source_url) <= 2048),
  ADD COLUMN source_version text CHECK (length(source_version) <= 200),
  ADD COLUMN source_checksum text CHECK (length(source_checksum) <= 100);
