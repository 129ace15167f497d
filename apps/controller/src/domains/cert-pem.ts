import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { AppError, normalizeHostname } from '@paas/shared';

/** What the platform keeps of a certificate and key pair it accepted. */
export interface CheckedCert {
  /** The certificate then its chain, as PEM blocks. */
  chain: string;
  /** The private key as PKCS#8 PEM. */
  keyPem: string;
  /** DNS names it covers (subjectAltName, else CN), lowercase. */
  names: string[];
  subject: string;
  issuer: string;
  /** SHA-256 fingerprint of the leaf certificate. */
  fingerprint: string;
  notBefore: Date;
  expiresAt: Date;
}

const certBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** One PEM block of any label (a private key: PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, ...). */
const anyBlock = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** The text besides `pattern`'s PEM blocks, cut for a message (empty when there is none). */
function textOutside(pem: string, pattern: RegExp): string {
  const rest = pem.replace(pattern, '').trim();
  return rest.length > 40 ? `${rest.slice(0, 40)}…` : rest;
}

function invalid(field: string, message: string, cause?: unknown): AppError {
  return new AppError('invalid_params', `${field}: ${message}`, { details: { field }, cause });
}

/**
 * Checks a PEM certificate chain and private key with node:crypto: the first certificate parses, the
 * key parses (unencrypted), the key is the certificate's, the certificate is valid now and names at
 * least one DNS name. Each failure is a 422 naming the field and the problem.
 */
export function checkCertPair(certificateChain: string, privateKey: string, now = new Date()): CheckedCert {
  const blocks = certificateChain.match(certBlock) ?? [];
  if (blocks.length === 0) throw invalid('certificate_chain', 'no PEM certificate (-----BEGIN CERTIFICATE-----) found');
  // PEM blocks and whitespace only: anything else (garbage after the chain, a pasted key) is refused.
  if (textOutside(certificateChain, certBlock)) {
    throw invalid('certificate_chain', `holds text outside its PEM certificates (${JSON.stringify(textOutside(certificateChain, certBlock))}): give the certificates only`);
  }
  const keyBlocks = privateKey.match(anyBlock) ?? [];
  if (keyBlocks.length > 1 || (keyBlocks.length === 1 && textOutside(privateKey, anyBlock))) {
    throw invalid('private_key', 'must be one PEM private key and nothing else');
  }
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch (err) {
      throw invalid('certificate_chain', `certificate ${certs.length + 1} does not parse: ${(err as Error).message}`, err);
    }
  }
  const leaf = certs[0]!;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKey, format: 'pem' });
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(privateKey);
    throw invalid('private_key', encrypted ? 'encrypted keys are not accepted: decrypt it first (openssl pkey -in key.pem -out plain.pem)' : 'not a PEM private key', err);
  }
  if (!leaf.checkPrivateKey(key)) throw invalid('private_key', 'does not match the certificate');
  const notBefore = new Date(leaf.validFrom);
  const expiresAt = new Date(leaf.validTo);
  if (expiresAt.getTime() <= now.getTime()) throw invalid('certificate_chain', `the certificate expired on ${expiresAt.toISOString()}`);
  if (notBefore.getTime() > now.getTime()) throw invalid('certificate_chain', `the certificate is not valid before ${notBefore.toISOString()}`);
  const names = dnsNames(leaf);
  if (names.length === 0) throw invalid('certificate_chain', 'the certificate names no DNS host (subjectAltName or CN)');
  return {
    chain: `${blocks.join('\n')}\n`,
    keyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    names,
    subject: leaf.subject.replace(/\n/g, ', '),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    fingerprint: leaf.fingerprint256,
    notBefore,
    expiresAt,
  };
}

/** The DNS names of a certificate: its subjectAltName DNS entries, else its CN. */
export function dnsNames(x509: X509Certificate): string[] {
  const alt = (x509.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => normalizeHostname(s.slice(4)));
  if (alt.length > 0) return [...new Set(alt)];
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1];
  return cn ? [normalizeHostname(cn)] : [];
}
