import { parse } from 'yaml';
import type { ProcessTypes } from '@paas/shared';
import { AppError } from '@paas/shared';

/**
 * Reads what a buildpack's `bin/release` printed: YAML whose `default_process_types` maps process
 * types to commands. Missing or empty means none; anything else malformed fails the build.
 */
export function parseReleaseYaml(text: string, buildpack: string): ProcessTypes {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new AppError('build_failed', `${buildpack} bin/release printed invalid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new AppError('build_failed', `${buildpack} bin/release must print a YAML mapping`);
  }
  const defaults = (doc as Record<string, unknown>)['default_process_types'];
  if (defaults === null || defaults === undefined) return {};
  if (typeof defaults !== 'object' || Array.isArray(defaults)) {
    throw new AppError('build_failed', `${buildpack} bin/release: default_process_types must be a mapping`);
  }
  const types: ProcessTypes = {};
  for (const [type, command] of Object.entries(defaults as Record<string, unknown>)) {
    if (typeof command !== 'string' || command.trim() === '') {
      throw new AppError('build_failed', `${buildpack} bin/release: the command of "${type}" must be a string`);
    }
    types[type] = command.trim();
  }
  return types;
}
