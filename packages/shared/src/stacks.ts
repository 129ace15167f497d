/**
 * Stacks: the Debian release an app builds and runs on (Heroku's `heroku-24` and the like). Each has
 * its build image `paas/build:<name>` and run image `paas/run:<name>` (scripts/base-images.sh). New
 * apps get the default; an app keeps its stack until `paas stack:set` moves it, on its next build.
 */
export const stackNames = ['trixie', 'bookworm'] as const;

export type StackName = (typeof stackNames)[number];

export interface Stack {
  /** Fixed, so clients may keep it (Heroku's stacks have UUIDs too). */
  id: string;
  name: StackName;
  /** Heroku's states: `public` (current), `deprecated` (still works, move off it). */
  state: 'public' | 'deprecated';
  /** New apps get it. */
  default: boolean;
  /** The Debian release's date. */
  created_at: string;
  updated_at: string;
  description: string;
}

export const defaultStack: StackName = 'trixie';

export const stacks: readonly Stack[] = [
  {
    id: '3c2b1d6e-8f7a-4f43-9a51-7d1e0c5b7a13',
    name: 'trixie',
    state: 'public',
    default: true,
    created_at: '2025-08-09T00:00:00Z',
    updated_at: '2025-08-09T00:00:00Z',
    description: 'Debian 13 "trixie" (stable): Python 3.13, Go 1.24',
  },
  {
    id: '9a4f0e2c-5b6d-4e18-8c37-2f9b1a6d4e05',
    name: 'bookworm',
    state: 'deprecated',
    default: false,
    created_at: '2023-06-10T00:00:00Z',
    updated_at: '2026-06-10T00:00:00Z',
    description: 'Debian 12 "bookworm" (oldstable, out of regular security support since June 2026): Python 3.11, Go 1.23',
  },
];

export function isStackName(name: string): name is StackName {
  return (stackNames as readonly string[]).includes(name);
}

/** The stack by name or id, as Heroku's API accepts either. */
export function findStack(nameOrId: string): Stack | undefined {
  return stacks.find((s) => s.name === nameOrId || s.id === nameOrId);
}

/** The image of a stack from a template whose `{stack}` is replaced (PAAS_BUILD_IMAGE, PAAS_RUN_IMAGE). */
export function stackImage(template: string, stack: StackName): string {
  return template.replaceAll('{stack}', stack);
}
