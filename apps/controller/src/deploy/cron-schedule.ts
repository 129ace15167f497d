/**
 * Cron schedules as Dokku's app.json `cron` entries give them: five fields (minute, hour, day of
 * month, month, day of week; `*`, lists, ranges and steps, month and day names) or a macro
 * (`@hourly`, `@daily`/`@midnight`, `@weekly`, `@monthly`, `@yearly`/`@annually`), in UTC. As in
 * cron, when both day fields are restricted a day matching either runs.
 */
export interface CronSchedule {
  readonly expression: string;
  /** Whether the minute starting at `t` (UTC) is a tick. */
  matches(t: Date): boolean;
}

const macros: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
interface Field {
  name: string;
  min: number;
  max: number;
  /** Names for the values from `base` on. */
  names?: readonly string[];
  base?: number;
}
const fields: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: months, base: 1 },
  { name: 'day of week', min: 0, max: 7, names: days, base: 0 },
];

export class CronSyntaxError extends Error {}

/** Parses a schedule; throws CronSyntaxError saying what is wrong. */
export function parseCron(expression: string): CronSchedule {
  const text = expression.trim().toLowerCase();
  const expanded = macros[text] ?? text;
  if (expanded.startsWith('@')) throw new CronSyntaxError(`${expression} is not a schedule (macros: ${Object.keys(macros).join(', ')})`);
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new CronSyntaxError(`${expression} is not a schedule: give five fields (minute hour day month weekday) or a macro such as @daily`);
  const sets = parts.map((p, i) => parseField(p, fields[i]!));
  const [minute, hour, dom, month, dow] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (dow.has(7)) dow.add(0);
  const domAny = parts[2] === '*';
  const dowAny = parts[4] === '*';
  return {
    expression,
    matches(t: Date): boolean {
      if (!minute.has(t.getUTCMinutes()) || !hour.has(t.getUTCHours()) || !month.has(t.getUTCMonth() + 1)) return false;
      const byDom = dom.has(t.getUTCDate());
      const byDow = dow.has(t.getUTCDay());
      if (domAny || dowAny) return (domAny || byDom) && (dowAny || byDow);
      return byDom || byDow;
    },
  };
}

function parseField(text: string, f: Field): Set<number> {
  const out = new Set<number>();
  const bad = (why: string): never => {
    throw new CronSyntaxError(`${f.name} field ${JSON.stringify(text)}: ${why}`);
  };
  const value = (v: string): number => {
    const named = f.names?.indexOf(v) ?? -1;
    if (named >= 0) return named + (f.base ?? 0);
    if (!/^\d{1,2}$/.test(v)) bad(`${v} is not a number${f.names ? ' or a name' : ''}`);
    const n = Number(v);
    if (n < f.min || n > f.max) bad(`${n} is outside ${f.min}-${f.max}`);
    return n;
  };
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') bad('is not a field');
    const step = stepText === undefined ? 1 : /^\d{1,2}$/.test(stepText) && Number(stepText) > 0 ? Number(stepText) : bad(`step ${stepText} is not a positive number`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [f.min, f.max === 7 ? 6 : f.max];
    else if (range!.includes('-')) {
      const [a, b] = range!.split('-');
      [lo, hi] = [value(a ?? ''), value(b ?? '')];
      if (lo > hi) bad(`${lo}-${hi} is a backwards range`);
    } else [lo, hi] = [value(range!), stepText === undefined ? value(range!) : f.max];
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

/** The ticks (minute starts) of `schedule` in (from, to], oldest first; at most `max`. */
export function ticksBetween(schedule: CronSchedule, from: Date, to: Date, max = 10): Date[] {
  const out: Date[] = [];
  const t = new Date(Math.floor(from.getTime() / 60_000) * 60_000 + 60_000);
  for (; t.getTime() <= to.getTime() && out.length < max; t.setTime(t.getTime() + 60_000)) if (schedule.matches(t)) out.push(new Date(t));
  return out;
}

/** The next tick after `after` within a year; undefined when there is none (e.g. 31 February). */
export function nextTick(schedule: CronSchedule, after: Date): Date | undefined {
  return ticksBetween(schedule, after, new Date(after.getTime() + 366 * 86_400_000), 1)[0];
}
