/** App names follow Heroku's rule: they become DNS labels, container names and repo names. */
export const appNameRule =
  'an app name must start with a lowercase letter and contain only lowercase letters, digits and dashes, 3 to 30 characters, not ending in a dash';

const appNamePattern = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;

export function isValidAppName(name: string): boolean {
  return appNamePattern.test(name) && !name.includes('--');
}
