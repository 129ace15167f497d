// Config vars are stored sealed (the platform's SecretBox with the 'config vars' purpose), each bound
// to its place by the associated data below: a ciphertext copied to another row does not open.

/** Where a config var is bound: its app and key. */
export const configVarContext = (appId: string, key: string): string => `config_var:${appId}:${key}`;
/** Where a release's config snapshot is bound: its app and version. */
export const releaseConfigContext = (appId: string, version: number): string => `release:${appId}:${version}`;
