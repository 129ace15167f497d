import type { StackName } from './stacks.js';
/** Shared types between the controller, the builder, the router and the CLI. */

/** Process types of a release: `{ web: "npm start", worker: "node worker.js" }`. */
export type ProcessTypes = Record<string, string>;

/** One BullMQ job per build: what the builder needs to turn a commit into an image. */
export interface BuildJobData {
  buildId: string;
  app: string;
  /** Git commit being built. */
  commit: string;
  /** Path of a tar of the commit's tree (from `git archive`), on disk shared with the controller. */
  sourcePath: string;
  /**
   * The app's config vars, given to buildpacks as files in ENV_DIR. Empty in the queue: the controller
   * sends them as `sealedEnv`, and the builder opens that into `env`.
   */
  env: Record<string, string>;
  /** The config vars sealed with the platform secret (build-env.ts), so Redis never holds them in plaintext. */
  sealedEnv?: string;
  /** Explicit buildpacks for the app (built-in names or git URLs with an optional #ref); empty means detect. */
  buildpacks: string[];
  /** The stack it builds on (its build and run images); jobs queued before stacks have none: bookworm. */
  stack?: StackName;
}

/** What a successful build produced. */
export interface BuildResult {
  /** Image reference in the builder's engine, e.g. `paas/hello:b-1a2b3c4d`. */
  image: string;
  /** Process types from the Procfile, else the buildpack's default_process_types. */
  processTypes: ProcessTypes;
  /** Buildpack (or "dockerfile") that built the app. */
  buildpack: string;
  /** Size in bytes of the run image; of the build image used, for comparison. */
  imageSize: number;
  buildImageSize: number;
  /**
   * The port the app listens on when the image decides it (a Dockerfile's EXPOSE or ENV PORT); the
   * platform then gives it as PORT and publishes it. Absent: the platform's default port.
   */
  port?: number;
  /** The image's software bill of materials, when the builder made one. */
  sbom?: BuildSbom;
}

/** A release image's inventory as the builder hands it over. */
export interface BuildSbom {
  /** The document's format: CycloneDX 1.6 JSON, gzipped, base64 in `document`. */
  format: 'cyclonedx-1.6+gzip';
  document: string;
  /** How many components it lists. */
  components: number;
}

/** Entries of a build's output stream. */
export type BuildLogEntry =
  | { type: 'line'; text: string }
  | { type: 'end'; status: 'succeeded'; result: BuildResult }
  | { type: 'end'; status: 'failed'; error: string; code: string };

/** A backend of an app: one running web process reachable at host:port. */
export interface Backend {
  /** Process name, e.g. `web.1`. */
  process: string;
  /** Container id on its engine. */
  container: string;
  host: string;
  port: number;
}

/** The router's view of one app. */
export interface AppRoute {
  app: string;
  /** Host names that reach this app: `<app>.<PAAS_DOMAIN>` and custom domains (`*.example.com` allowed). */
  domains: string[];
  backends: Backend[];
  /** Release version these backends run. */
  release: number;
  /** Monotonic version of this route entry; routers acknowledge the version they applied. */
  version: number;
  /** The app's request body limit in MiB, when it differs from the router's default (PAAS_ROUTER_MAX_BODY_MB). */
  maxBodyMb?: number;
  /** Redirect the app's plain HTTP requests to HTTPS (hosts the router has a certificate for), whatever PAAS_ROUTER_HTTPS_REDIRECT says. */
  httpsRedirect?: boolean;
  /**
   * Maintenance mode (`paas maintenance:on`): every request gets a 503 with a maintenance page, the
   * app's own (`page`, HTML fetched from its PAAS_MAINTENANCE_PAGE_URL) or the router's.
   */
  maintenance?: { page?: string };
}

/**
 * A TLS certificate for some of an app's domains, as published to the routers. The private key is
 * sealed with the platform secret (see secret-box.ts): Redis never holds it in the clear.
 */
export interface CertEntry {
  id: string;
  app: string;
  /** DNS names the certificate covers (subjectAltName, else its CN), lowercase; `*.example.com` allowed. */
  names: string[];
  /** PEM: the certificate, then its chain. */
  cert: string;
  /** The PEM private key, sealed with `sealSecret`. */
  sealedKey: string;
  /** ISO 8601 expiry of the certificate. */
  expiresAt: string;
}
