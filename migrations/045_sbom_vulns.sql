-- Software bill of materials and vulnerability matching (issue 21).
-- Each build's image inventory: the CycloneDX document as the builder made it (gzipped JSON), and its
-- components in rows, by the names advisories use (OSV ecosystems; Debian by source package).
CREATE TABLE build_sboms (
  build_id   uuid PRIMARY KEY REFERENCES builds(id) ON DELETE CASCADE,
  app_id     uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  document   bytea NOT NULL,
  components integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE build_components (
  build_id  uuid NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  -- npm, PyPI, Go, Debian:12 (OSV's names)
  ecosystem text NOT NULL,
  -- The name advisories use (a Debian package's source package) and its version.
  name      text NOT NULL,
  version   text NOT NULL,
  -- The installed package (a Debian binary package) and its version, as the image has it.
  package   text NOT NULL,
  installed text NOT NULL,
  layer     text NOT NULL,
  path      text NOT NULL
);
CREATE INDEX build_components_build ON build_components (build_id);
CREATE INDEX build_components_package ON build_components (ecosystem, name);

-- Advisories imported by the operator (paas admin:vulndb:import): OSV records and the Debian
-- security tracker's entries (one per CVE).
CREATE TABLE vuln_advisories (
  id          text PRIMARY KEY,
  source      text NOT NULL CHECK (source IN ('osv', 'debian-tracker')),
  summary     text NOT NULL DEFAULT '',
  aliases     text[] NOT NULL DEFAULT '{}',
  severity    text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'unknown')),
  score       real,
  modified    timestamptz,
  imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vuln_affected (
  advisory_id text NOT NULL REFERENCES vuln_advisories(id) ON DELETE CASCADE,
  ecosystem   text NOT NULL,
  package     text NOT NULL,
  -- OSV ranges ([{type, events: [{introduced|fixed|last_affected}]}]) and explicit versions
  ranges      jsonb NOT NULL DEFAULT '[]',
  versions    text[] NOT NULL DEFAULT '{}',
  severity    text
);
CREATE INDEX vuln_affected_package ON vuln_affected (ecosystem, package);

-- What matched: refreshed for a build when it is made and for every build on each import.
CREATE TABLE vuln_findings (
  build_id    uuid NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
  advisory_id text NOT NULL REFERENCES vuln_advisories(id) ON DELETE CASCADE,
  ecosystem   text NOT NULL,
  package     text NOT NULL,
  version     text NOT NULL,
  fixed       text,
  severity    text NOT NULL,
  PRIMARY KEY (build_id, advisory_id, ecosystem, package, version)
);

-- Each app's release policy (none: the platform's, PAAS_VULN_POLICY) and its allowed advisories.
CREATE TABLE vuln_policies (
  app_id     uuid PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
  action     text NOT NULL CHECK (action IN ('off', 'warn', 'refuse')),
  severity   text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vuln_allowlist (
  app_id      uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  advisory_id text NOT NULL,
  expires_at  timestamptz NOT NULL,
  reason      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, advisory_id)
);
