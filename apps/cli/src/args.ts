import { CliError } from './cli-error.js';

/** Config var keys, as a shell would accept them as environment variable names. */
export const configKeyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Procfile process types. */
export const processTypePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** `K=V` arguments of `config:set` into an object; the value is everything after the first `=`. */
export function parseConfigAssignments(args: string[]): Record<string, string> {
  if (args.length === 0) throw new CliError('usage: paas config:set KEY=VALUE…');
  const vars: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq === -1) {
      throw new CliError(`'${arg}' is not KEY=VALUE; for example: paas config:set NODE_ENV=production`);
    }
    const key = arg.slice(0, eq);
    checkConfigKey(key, arg);
    vars[key] = arg.slice(eq + 1);
  }
  return vars;
}

/** Keys of `config:unset`. */
export function parseConfigKeys(args: string[]): string[] {
  if (args.length === 0) throw new CliError('usage: paas config:unset KEY…');
  for (const key of args) checkConfigKey(key, key);
  return [...new Set(args)];
}

function checkConfigKey(key: string, arg: string): void {
  if (!configKeyPattern.test(key)) {
    const shown = key === '' ? 'an empty key' : `'${key}'`;
    throw new CliError(
      `invalid config var in '${arg}': ${shown} is not a valid key (letters, digits and underscores, not starting with a digit)`,
    );
  }
}

export interface ScaleUpdate {
  type: string;
  quantity: number;
}

/** A `scale` argument: `web=2` sets the quantity, `web+1` / `web-1` changes it (Heroku's forms). */
export type ScaleArg = { type: string; quantity: number } | { type: string; delta: number };

/** `TYPE=N`, `TYPE+N` and `TYPE-N` arguments of `scale`. */
export function parseScaleArgs(args: string[]): ScaleArg[] {
  const updates = new Map<string, ScaleArg>();
  for (const arg of args) {
    // `=` first (a type may contain -: web-api=2), else the last + or - (web-api-1).
    const match = /^([^=]+)(=)(.*)$/.exec(arg) ?? /^(.+)([+-])(\d+)$/.exec(arg);
    if (!match) throw new CliError(`'${arg}' is not TYPE=N, TYPE+N or TYPE-N; for example: paas scale web=2 worker+1`);
    const type = match[1] ?? '';
    const op = match[2] ?? '=';
    const quantity = match[3] ?? '';
    if (!processTypePattern.test(type)) {
      throw new CliError(`invalid process type '${type}' in '${arg}'; process types are names from the Procfile, like web`);
    }
    if (!/^\d+$/.test(quantity)) {
      throw new CliError(`invalid quantity '${quantity}' in '${arg}'; use a whole number, like ${type}=2 or ${type}+1`);
    }
    updates.set(type, op === '=' ? { type, quantity: Number(quantity) } : { type, delta: op === '+' ? Number(quantity) : -Number(quantity) });
  }
  return [...updates.values()];
}

/** Absolute quantities for scale arguments, relative ones applied to `formation`; refuses going below 0. */
export function resolveScaleArgs(args: ScaleArg[], formation: readonly { type: string; quantity: number }[]): ScaleUpdate[] {
  return args.map((a) => {
    if ('quantity' in a) return a;
    const now = formation.find((f) => f.type === a.type)?.quantity ?? 0;
    const quantity = now + a.delta;
    if (quantity < 0) throw new CliError(`cannot scale ${a.type} to ${quantity}: it runs ${now}`);
    return { type: a.type, quantity };
  });
}

/** A positive whole number option, such as `releases -n 5`. */
export function parsePositiveInt(value: string, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new CliError(`${what} must be a whole number of at least 1, not '${value}'`);
  }
  return Number(value);
}
