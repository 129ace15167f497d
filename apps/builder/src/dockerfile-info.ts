/** What the Dockerfile builder reads from a Dockerfile's text and from the image it built. */

/** The names of the build arguments a Dockerfile declares (`ARG NAME` or `ARG NAME=default`). */
export function declaredArgs(dockerfile: string): string[] {
  const names = new Set<string>();
  // instructions may continue over lines ending with a backslash
  const text = dockerfile.replace(/\\\r?\n/g, ' ');
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*ARG\s+(.+)$/i.exec(raw);
    if (!m) continue;
    for (const part of m[1]!.trim().split(/\s+/)) {
      const name = /^([A-Za-z_][A-Za-z0-9_]*)(=|$)/.exec(part)?.[1];
      if (name) names.add(name);
    }
  }
  return [...names];
}

/**
 * The config vars given to the Dockerfile as build args. Only when the app asks, with the config var
 * `PAAS_DOCKERFILE_BUILD_ARGS`: `1` (or `true`, `all`) gives every config var the Dockerfile declares
 * an ARG for; a comma-separated list gives just those. Build args end up in the image's history, so
 * nothing is given unasked.
 */
export function buildArgs(env: Record<string, string>, dockerfile: string): Record<string, string> {
  const setting = env['PAAS_DOCKERFILE_BUILD_ARGS']?.trim() ?? '';
  if (setting === '' || /^(0|false|no)$/i.test(setting)) return {};
  const declared = new Set(declaredArgs(dockerfile));
  const wanted = /^(1|true|yes|all)$/i.test(setting) ? [...declared] : setting.split(',').map((s) => s.trim());
  const args: Record<string, string> = {};
  for (const name of wanted) if (declared.has(name) && env[name] !== undefined) args[name] = env[name]!;
  return args;
}

/** The parts of an image's config the platform runs it by. */
export interface ImageConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  ExposedPorts?: Record<string, unknown> | null;
  Env?: string[] | null;
}

/**
 * The port the app listens on: the one TCP port the image EXPOSEs (or, of several, the one its ENV
 * PORT names, else the lowest), else its ENV PORT; undefined when the image says nothing (the
 * platform's default PORT applies, and the app should listen on $PORT).
 */
export function imagePort(config: ImageConfig): { port: number; from: 'EXPOSE' | 'ENV PORT' } | undefined {
  const envPort = (config.Env ?? []).find((e) => e.startsWith('PORT='))?.slice(5);
  const envNumber = envPort !== undefined && /^\d{1,5}$/.test(envPort) ? Number(envPort) : undefined;
  const exposed = Object.keys(config.ExposedPorts ?? {})
    .map((k) => /^(\d{1,5})(\/tcp)?$/.exec(k)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number)
    .filter((p) => p > 0 && p < 65536)
    .sort((a, b) => a - b);
  if (exposed.length > 0) {
    const port = envNumber !== undefined && exposed.includes(envNumber) ? envNumber : exposed[0]!;
    return { port, from: 'EXPOSE' };
  }
  if (envNumber !== undefined && envNumber > 0 && envNumber < 65536) return { port: envNumber, from: 'ENV PORT' };
  return undefined;
}

/** The image's own command (ENTRYPOINT then CMD) as one command line; undefined when it has none. */
export function imageCommand(config: ImageConfig): string | undefined {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  return argv.length === 0 ? undefined : argv.map(shellQuote).join(' ');
}

/** Quotes one word for sh (and for paas-launch, which splits the same way). */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
