import { SecretBox } from './secret-box.js';

/**
 * The config vars a build gets travel through Redis (the BullMQ job) sealed with the platform secret,
 * never in plaintext: the controller seals them, the builder opens them (both hold PAAS_SECRET).
 */
export function buildEnvBox(secret: string): SecretBox {
  return new SecretBox(secret, 'build env');
}

export function sealBuildEnv(box: SecretBox, env: Record<string, string>): string {
  return box.seal(JSON.stringify(env));
}

/** The config vars of a sealed build env; throws when it does not open or is not a map of strings. */
export function openBuildEnv(box: SecretBox, sealed: string): Record<string, string> {
  const env: unknown = JSON.parse(box.open(sealed));
  if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) {
    throw new Error('the sealed build env is not a map of strings');
  }
  return env as Record<string, string>;
}
