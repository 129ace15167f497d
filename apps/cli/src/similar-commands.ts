/** Commands whose names look like `typed`: a small edit away, or sharing its topic (`apps:` for `apps:craete`). */
export function similarCommands(typed: string, names: string[], max = 5): string[] {
  const topic = typed.split(':')[0] ?? typed;
  const limit = Math.max(2, Math.floor(typed.length / 3));
  return names
    .map((name) => ({ name, distance: editDistance(typed, name) }))
    .filter(({ name, distance }) => distance <= limit || (topic.length >= 2 && name.split(':')[0] === topic))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map(({ name }) => name);
}

/**
 * Heroku CLI names whose paas command has another name. Each maps to a paas command; it is
 * suggested only when the running CLI has that command.
 */
export const herokuNames: Readonly<Record<string, string>> = {
  'apps:list': 'apps',
  'auth:login': 'login',
  'auth:logout': 'logout',
  'auth:whoami': 'whoami',
  'ps:kill': 'ps:stop',
  'dyno:kill': 'ps:stop',
  'dyno:stop': 'ps:stop',
  'dyno:restart': 'ps:restart',
  'dyno:scale': 'scale',
  'dyno:resize': 'limits:set',
  'ps:resize': 'limits:set',
  'ps:type': 'limits:set',
  'logs:drains': 'drains',
  'drains:list': 'drains',
  'config:list': 'config',
  'releases:list': 'releases',
  'domains:list': 'domains',
  'domains:info': 'domains',
  'certs:info': 'certs',
  'certs:list': 'certs',
  'clients': 'authorizations',
  'authorizations:info': 'authorizations',
  'access:list': 'access',
  'sharing': 'access',
  'sharing:add': 'access:add',
  'sharing:remove': 'access:remove',
  'builds:info': 'builds:output',
  'buildpacks:list': 'buildpacks',
  'git:clone': 'git:remote',
  'maintenance:status': 'maintenance',
  'status': 'admin:status',
};

/** The paas command a Heroku command name stands for, when it has another name here. */
export function herokuEquivalent(typed: string, names: readonly string[]): string | undefined {
  const paas = herokuNames[typed];
  return paas !== undefined && paas !== typed && names.includes(paas) ? paas : undefined;
}

/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.MAX_SAFE_INTEGER;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}
