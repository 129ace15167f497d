import { pino, type Logger } from 'pino';

export type { Logger };

/** Operator logs: pino JSON, one logger per component, children carry app/build/release/job ids. */
export function createLogger(component: string, level = 'info'): Logger {
  return pino({ name: component, level, base: { component } });
}
