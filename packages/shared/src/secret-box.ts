import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What a key is for. Each purpose has its own key, derived from the platform secret (PAAS_SECRET). */
export type SecretPurpose = 'tls private keys' | 'build env' | 'config vars' | 'platform ca' | 'host credentials';

// The HKDF salt and info of each purpose. They are part of the stored formats: values sealed before
// (TLS keys in the route store, build envs in queued jobs, config vars in PostgreSQL) must still open.
const derivation: Record<SecretPurpose, { salt: string; info: string }> = {
  'tls private keys': { salt: 'paas secret box', info: 'paas tls private keys' },
  'build env': { salt: 'paas secret box', info: 'paas build env' },
  'config vars': { salt: 'paas', info: 'paas config vars v1' },
  // paas's own CA key, and what the controller holds to reach the hosts it provisioned (their TLS
  // client key, the SSH key they were provisioned with).
  'platform ca': { salt: 'paas secret box', info: 'paas platform ca' },
  'host credentials': { salt: 'paas secret box', info: 'paas host credentials' },
};

const version = 1;
const ivLength = 12;
const tagLength = 16;
/** Bytes a sealed value holds besides its plaintext (version, IV, tag): AES-GCM adds no padding. */
export const sealedOverhead = 1 + ivLength + tagLength;

function derivedKey(secret: string, purpose: SecretPurpose): Buffer {
  const { salt, info } = derivation[purpose];
  return Buffer.from(hkdfSync('sha256', secret, salt, info, 32));
}

/**
 * The key the routers get instead of the platform secret (PAAS_ROUTER_CERT_KEY, 64 hex digits):
 * HKDF-SHA256 of PAAS_SECRET labelled for certificate keys only (the 'tls private keys' purpose).
 * It opens what the controller seals for the routers and nothing else: not config vars, build
 * environments, tokens or the git hooks' token, which use other labels or the secret itself.
 */
export function certKeyOf(secret: string): string {
  return derivedKey(secret, 'tls private keys').toString('hex');
}

/**
 * The platform's one cipher: AES-256-GCM under a key derived (HKDF-SHA256) from the platform secret,
 * one key per purpose, a fresh IV per value. A value may be bound to where it is stored (`context`,
 * the associated data, e.g. app id and key), so a ciphertext copied to another row does not open.
 *
 * Two encodings of the same sealed value:
 * - bytes (`encrypt`, for bytea columns): version 1 (1 byte), IV (12), tag (16), ciphertext;
 * - text (`seal`, for Redis and JSON): `v1.<iv>.<tag>.<ciphertext>` in base64url.
 * Opening fails loudly when the secret is wrong or the value was altered.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string, purpose: SecretPurpose = 'tls private keys') {
    if (secret.length < 16) throw new Error('SecretBox: the secret is too short');
    this.key = derivedKey(secret, purpose);
  }

  /** A box on a key already derived (see certKeyOf): whoever holds it opens only what was sealed for its purpose. */
  static fromKey(hexKey: string): SecretBox {
    if (!/^[0-9a-f]{64}$/i.test(hexKey)) throw new Error('SecretBox: the key must be 64 hex digits (32 bytes)');
    const box = Object.create(SecretBox.prototype) as SecretBox;
    (box as unknown as { key: Buffer }).key = Buffer.from(hexKey, 'hex');
    return box;
  }

  encrypt(plaintext: string, context = ''): Buffer {
    const { iv, tag, data } = this.gcmSeal(plaintext, context);
    return Buffer.concat([Buffer.from([version]), iv, tag, data]);
  }

  decrypt(sealed: Buffer, context = ''): string {
    if (sealed.length < sealedOverhead || sealed[0] !== version) throw new Error('not a sealed value: unknown format');
    return this.gcmOpen(sealed.subarray(1, 1 + ivLength), sealed.subarray(1 + ivLength, sealedOverhead), sealed.subarray(sealedOverhead), context);
  }

  encryptJson(value: unknown, context = ''): Buffer {
    return this.encrypt(JSON.stringify(value), context);
  }

  decryptJson<T>(sealed: Buffer, context = ''): T {
    return JSON.parse(this.decrypt(sealed, context)) as T;
  }

  seal(plaintext: string, context = ''): string {
    const { iv, tag, data } = this.gcmSeal(plaintext, context);
    return [`v${version}`, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join('.');
  }

  open(sealed: string, context = ''): string {
    const [v, iv, tag, data, extra] = sealed.split('.');
    if (v !== `v${version}` || !iv || !tag || data === undefined || extra !== undefined) throw new Error('not a sealed value: unknown format');
    const tagBytes = Buffer.from(tag, 'base64url');
    // A shortened tag would weaken the check: only the full 16 bytes are accepted.
    if (tagBytes.length !== tagLength) throw new Error('not a sealed value: unknown format');
    return this.gcmOpen(Buffer.from(iv, 'base64url'), tagBytes, Buffer.from(data, 'base64url'), context);
  }

  private gcmSeal(plaintext: string, context: string): { iv: Buffer; tag: Buffer; data: Buffer } {
    const iv = randomBytes(ivLength);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    if (context) cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { iv, tag: cipher.getAuthTag(), data };
  }

  private gcmOpen(iv: Buffer, tag: Buffer, data: Buffer, context: string): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      if (context) decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new Error('the sealed value does not decrypt: wrong secret (PAAS_SECRET differs from the one it was sealed with), or it was altered', { cause: err });
    }
  }
}
