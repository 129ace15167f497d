import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const version = 'v1';
const ivBytes = 12;

/**
 * Seals short secrets (TLS private keys) with AES-256-GCM under a key derived from the platform
 * secret (PAAS_SECRET) by HKDF-SHA256, one key per purpose. A sealed value is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url: it can sit in PostgreSQL or Redis, and opening it fails
 * loudly when the secret is wrong or the value was tampered with.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string, purpose = 'paas tls private keys') {
    if (secret.length < 16) throw new Error('SecretBox: the secret is too short');
    this.key = Buffer.from(hkdfSync('sha256', secret, 'paas secret box', purpose, 32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [version, iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string): string {
    const [v, iv, tag, data, extra] = sealed.split('.');
    if (v !== version || !iv || !tag || data === undefined || extra !== undefined) throw new Error('not a sealed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new Error('cannot open the sealed value: wrong secret, or it was altered', { cause: err });
    }
  }
}
