import { readFileSync } from 'node:fs';

/**
 * The platform's version: the repository's package.json `version` (src/ and dist/ sit at the same
 * depth). The CLI package is stamped with the same one, so a CLI and the platform it talks to can
 * tell when they differ (`Paas-Version` on every API answer, `GET /version`).
 */
export const platformVersion: string = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The response header every API answer carries the platform's version in. */
export const versionHeader = 'Paas-Version';
