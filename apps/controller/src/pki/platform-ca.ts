/**
 * paas's own certificate authority: the Docker engines paas provisions listen with TLS under
 * server certificates it issues, the controller talks to them with a client certificate it issues,
 * and the embedded registry serves a cluster with one. ECDSA P-256 keys, SHA-256 signatures, made with
 * `@peculiar/x509` over node's WebCrypto. The CA's key is kept sealed (SecretBox, platform-ca.ts in db/).
 */
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
/** @peculiar/x509's view of a key (the DOM's CryptoKey, which node's is). */
type X509Key = Parameters<typeof x509.X509CertificateGenerator.create>[0] extends infer P ? (P extends { signingKey: infer K } ? K : never) : never;
type X509Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const day = 24 * 3600_000;

/** A certificate and its private key, in PEM. */
export interface IssuedCert {
  cert: string;
  key: string;
  /** When it stops being valid. */
  notAfter: Date;
}

export interface CaMaterial {
  cert: string;
  key: string;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pemOfKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function serial(): string {
  // positive, 16 bytes: the top bit cleared
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

/** Makes a new CA (valid `days`, default ten years). */
export async function createCa(commonName = 'paas platform CA', days = 3650): Promise<CaMaterial> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName.replace(/[,=+<>#;"\\]/g, ' ')}`,
    keys: keys as unknown as X509Keys,
    signingAlgorithm: algorithm,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + days * day),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as X509Key),
    ],
  });
  return { cert: cert.toString('pem'), key: await pemOfKey(keys.privateKey) };
}

/** The certificates one CA issues. */
export class PlatformCa {
  private signingKey: Promise<CryptoKey> | undefined;
  private readonly caCert: x509.X509Certificate;

  constructor(private readonly material: CaMaterial) {
    this.caCert = new x509.X509Certificate(material.cert);
  }

  /** The CA's certificate (PEM): what clients and engines trust. */
  get cert(): string {
    return this.material.cert;
  }

  private key(): Promise<CryptoKey> {
    this.signingKey ??= (async () => {
      const der = createPrivateKey(this.material.key).export({ format: 'der', type: 'pkcs8' });
      return (await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign'])) as CryptoKey;
    })();
    return this.signingKey;
  }

  /** A server certificate for `names` (host names and IP addresses; the first is the CN). */
  issueServer(names: string[], days = 825): Promise<IssuedCert> {
    if (names.length === 0) throw new Error('a server certificate needs at least one name');
    const alt = names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }));
    return this.issue(names[0]!, days, x509.ExtendedKeyUsage.serverAuth, [new x509.SubjectAlternativeNameExtension(alt)]);
  }

  /** A client certificate (what the controller presents to the engines it provisioned). */
  issueClient(commonName: string, days = 825): Promise<IssuedCert> {
    return this.issue(commonName, days, x509.ExtendedKeyUsage.clientAuth, []);
  }

  private async issue(cn: string, days: number, usage: string, extra: x509.Extension[]): Promise<IssuedCert> {
    const keys = await keyPair();
    const notAfter = new Date(Date.now() + days * day);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${cn.replace(/[,=+<>#;"\\]/g, ' ')}`,
      issuer: this.caCert.subject,
      publicKey: keys.publicKey as unknown as X509Key,
      signingKey: (await this.key()) as unknown as X509Key,
      signingAlgorithm: algorithm,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([usage], false),
        await x509.AuthorityKeyIdentifierExtension.create(this.caCert),
        ...extra,
      ],
    });
    return { cert: cert.toString('pem'), key: await pemOfKey(keys.privateKey), notAfter };
  }

  /** Whether `pem` was issued by this CA (its signature checks with the CA's key). */
  issued(pem: string): boolean {
    try {
      return new X509Certificate(pem).verify(new X509Certificate(this.material.cert).publicKey);
    } catch {
      return false;
    }
  }
}
