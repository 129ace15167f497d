import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const version = 1;
const ivLength = 12;
const tagLength = 16;
/** Bytes a sealed value holds besides its plaintext (version, IV, tag): AES-GCM adds no padding. */
export const sealedOverhead = 1 + ivLength + tagLength;

/**
 * Encrypts config vars at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the platform
 * secret. Each value is bound to where it is stored (the associated data, e.g. app id and key), so a
 * ciphertext copied to another row does not decrypt. Layout: version (1 byte), IV (12), tag (16), data.
 */
export class ConfigCipher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'paas', 'paas config vars v1', 32));
  }

  encrypt(plaintext: string, context: string): Buffer {
    const iv = randomBytes(ivLength);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([version]), iv, cipher.getAuthTag(), data]);
  }

  decrypt(sealed: Buffer, context: string): string {
    if (sealed.length < 1 + ivLength + tagLength || sealed[0] !== version) {
      throw new Error('config var ciphertext has an unknown format');
    }
    const iv = sealed.subarray(1, 1 + ivLength);
    const tag = sealed.subarray(1 + ivLength, 1 + ivLength + tagLength);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(1 + ivLength + tagLength)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new Error('config var does not decrypt: PAAS_SECRET differs from the one it was stored with', { cause: err });
    }
  }

  encryptJson(value: unknown, context: string): Buffer {
    return this.encrypt(JSON.stringify(value), context);
  }

  decryptJson<T>(sealed: Buffer, context: string): T {
    return JSON.parse(this.decrypt(sealed, context)) as T;
  }
}

/** Where a config var is bound: its app and key. */
export const configVarContext = (appId: string, key: string): string => `config_var:${appId}:${key}`;
/** Where a release's config snapshot is bound: its app and version. */
export const releaseConfigContext = (appId: string, version: number): string => `release:${appId}:${version}`;
