import type { RequestHandler } from 'express';
import { AppError } from '@paas/shared';
import { controlCharacters, hasForbiddenCharacter } from './text-rules.js';

/** Keys that would reach an object's prototype machinery if ever merged: refused, never dropped. */
const reservedKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The path decodes (every segment is valid percent-encoded UTF-8) and holds no control character:
 * checked before authentication, so a path the router could not decode is a 400, never a 500, and
 * no NUL ever reaches a query.
 */
export const pathGuard: RequestHandler = (req, _res, next) => {
  try {
    for (const segment of req.path.split('/')) decodePathSegment(segment);
  } catch (err) {
    return next(err);
  }
  next();
};

/** One path segment decoded, or 400 invalid_path (malformed percent-encoding, a control character). */
export function decodePathSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new AppError('invalid_path', 'the path is not valid percent-encoded UTF-8');
  }
  if (controlCharacters.test(decoded) || hasForbiddenCharacter(decoded)) {
    throw new AppError('invalid_path', 'the path must not contain control characters');
  }
  return decoded;
}

/** Query parameters hold no NUL, lone surrogate or control character (they name things or filter them). */
export const queryGuard: RequestHandler = (req, _res, next) => {
  const query = req.query as Record<string, unknown>;
  for (const [key, value] of Object.entries(query)) {
    for (const s of [key, ...(Array.isArray(value) ? value : [value])]) {
      if (typeof s === 'string' && (controlCharacters.test(s) || hasForbiddenCharacter(s))) {
        return next(new AppError('invalid_characters', `query: ${safeName(key)} must not contain control characters`, { details: { field: safeName(key) } }));
      }
    }
  }
  next();
};

/**
 * Walks a parsed JSON body (iteratively: any depth) and refuses NUL and lone surrogates in keys and
 * strings (422 invalid_characters) and the keys `__proto__`, `constructor`, `prototype` (422
 * reserved_key), naming the field.
 */
export function checkJsonBody(body: unknown): void {
  // Each entry points at its parent: a path is only built for the error (no copying per level).
  interface Entry {
    value: unknown;
    key: string;
    parent: Entry | undefined;
  }
  const pathOf = (e: Entry | undefined): string[] => {
    const path: string[] = [];
    for (let at = e; at?.parent; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const stack: Entry[] = [{ value: body, key: '', parent: undefined }];
  while (stack.length) {
    const entry = stack.pop()!;
    const { value } = entry;
    if (typeof value === 'string') {
      if (hasForbiddenCharacter(value)) throw forbiddenCharacter(pathOf(entry));
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], key: String(i), parent: entry });
    } else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        const child: Entry = { value: (value as Record<string, unknown>)[key], key, parent: entry };
        if (hasForbiddenCharacter(key)) throw forbiddenCharacter(pathOf(child));
        if (reservedKeys.has(key)) {
          const field = fieldName(pathOf(child));
          throw new AppError('reserved_key', `${field}: ${safeName(key)} is not allowed as a key`, { details: { field } });
        }
        stack.push(child);
      }
    }
  }
}

function forbiddenCharacter(path: string[]): AppError {
  const field = fieldName(path);
  return new AppError('invalid_characters', `${field ? `${field}: ` : ''}must not contain NUL or unpaired UTF-16 surrogates`, {
    details: field ? { field } : {},
  });
}

/** A field path fit for a message: forbidden characters shown escaped, long names cut. */
function fieldName(path: string[]): string {
  return safeName(path.join('.'));
}

function safeName(s: string): string {
  const shown = s.length > 100 ? `${s.slice(0, 100)}…` : s;
  return JSON.stringify(shown).slice(1, -1);
}
