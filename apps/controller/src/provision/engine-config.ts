/**
 * What provisioning writes on a host, as pure functions: the OS check (/etc/os-release) and the
 * engine's daemon.json, merged into what is there (a broken file is replaced: that is the repair).
 */

/** Where the engine's TLS files live on a provisioned host. */
export const engineTlsDir = '/etc/docker/paas';
export const enginePort = 2376;

export interface OsCheck {
  ok: boolean;
  /** `Debian GNU/Linux 12 (bookworm)`, or what the file says. */
  name: string;
  reason?: string;
}

/** Debian and Ubuntu (and their derivatives that say so in ID_LIKE) are supported; others are refused with the reason. */
export function checkOsRelease(text: string): OsCheck {
  const fields = new Map<string, string>();
  for (const line of text.split('\n').slice(0, 200)) {
    const m = /^([A-Z_]{1,40})=(.{0,200})$/.exec(line.trim());
    if (m) fields.set(m[1]!, m[2]!.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1').replace(/[^\x20-\x7e]/g, '?'));
  }
  const id = (fields.get('ID') ?? '').toLowerCase();
  const like = (fields.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/);
  const name = fields.get('PRETTY_NAME') ?? (id || 'an unknown system');
  if (id === 'debian' || id === 'ubuntu' || like.includes('debian') || like.includes('ubuntu')) return { ok: true, name };
  if (!id) return { ok: false, name, reason: '/etc/os-release is missing or names no ID: paas provisions Debian and Ubuntu only' };
  return { ok: false, name, reason: `${name} is not supported: paas provisions Debian and Ubuntu (it installs their docker.io package)` };
}

export interface DaemonJsonResult {
  json: string;
  /** The old file did not parse (or was not an object) and was replaced. */
  repaired: boolean;
}

/**
 * The engine's daemon.json with paas's listener: the local socket plus TLS-verified TCP on 2376,
 * under the certificates in engineTlsDir. Other settings of a file that parses are kept.
 */
export function daemonJsonWithTls(existing: string | undefined): DaemonJsonResult {
  let base: Record<string, unknown> = {};
  let repaired = false;
  if (existing !== undefined && existing.trim() !== '') {
    try {
      const parsed = JSON.parse(existing) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) base = parsed as Record<string, unknown>;
      else repaired = true;
    } catch {
      repaired = true;
    }
  }
  const next = {
    ...base,
    hosts: ['unix:///var/run/docker.sock', `tcp://0.0.0.0:${enginePort}`],
    tls: true,
    tlsverify: true,
    tlscacert: `${engineTlsDir}/ca.pem`,
    tlscert: `${engineTlsDir}/server-cert.pem`,
    tlskey: `${engineTlsDir}/server-key.pem`,
  };
  return { json: `${JSON.stringify(next, null, 2)}\n`, repaired };
}

/** daemon.json without paas's TCP listener (deprovision): the local socket stays. */
export function daemonJsonWithoutTls(existing: string | undefined): string {
  let base: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(existing ?? '{}') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) base = parsed as Record<string, unknown>;
  } catch {
    /* replaced */
  }
  const { hosts: _h, tls: _t, tlsverify: _v, tlscacert: _a, tlscert: _c, tlskey: _k, ...rest } = base;
  return `${JSON.stringify(rest, null, 2)}\n`;
}
