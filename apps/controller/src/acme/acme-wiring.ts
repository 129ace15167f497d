import { readFileSync } from 'node:fs';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import * as acme from 'acme-client';
import type { ControllerConfig } from '../config.js';

/**
 * Makes acme-client trust `caFile` besides node's root CAs (PAAS_ACME_CA_FILE: a private CA's
 * directory, or a test CA such as pebble's). acme-client has one HTTP client per process, so this is
 * set once, at start.
 */
export function trustAcmeCa(config: Pick<ControllerConfig['acme'], 'caFile'>): void {
  if (!config.caFile) return;
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: [readFileSync(config.caFile, 'utf8'), ...rootCertificates] });
}
