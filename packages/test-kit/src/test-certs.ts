import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key in PEM, made for a test. */
export interface TestCert {
  cert: string;
  key: string;
  /** Files holding them (removed by `cleanup`). */
  certFile: string;
  keyFile: string;
  cleanup: () => Promise<void>;
}

/**
 * A self-signed certificate for `names` (the first is also the CN), made with the `openssl` command
 * (argument arrays, no shell) in a temporary directory: a P-256 key, valid for `days`.
 */
export async function makeTestCert(names: string[], options: { days?: number } = {}): Promise<TestCert> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-test-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    String(options.days ?? 30),
    '-subj',
    `/CN=${names[0]}`,
    '-addext',
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
  ]);
  return {
    cert: await readFile(certFile, 'utf8'),
    key: await readFile(keyFile, 'utf8'),
    certFile,
    keyFile,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
