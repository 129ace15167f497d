import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import os from 'node:os';
import { AppError } from './errors.js';
import { canonical, classifyAddress, embeddedIPv4, parseAddress, readHost, type AddressClass, type CanonicalAddress } from './ip-address.js';

/**
 * The one guard for every URL the platform fetches or sends to on a user's behalf (log drains,
 * buildpack and tarball URLs, and whatever comes next: webhooks, add-on servers). It parses the URL,
 * allows only the schemes its use names, resolves the host and checks every address it resolves to,
 * in canonical form; the same check runs again at connect time through `lookup` (so a name that
 * resolves to a public address when checked and to loopback when connected — DNS rebinding — is
 * refused), and on every redirect the caller follows.
 *
 * Always refused: loopback (unless the operator allows it: development and tests), link-local (cloud
 * metadata), unspecified, multicast, reserved ranges and the platform's own addresses. Private
 * networks (RFC 1918, carrier-grade NAT, unique local IPv6) only when the operator allows them.
 */

/** Every address a name resolves to, as text (the default is the system resolver, dns.lookup). */
export type EgressResolver = (name: string) => Promise<string[]>;

export interface EgressPolicy {
  /** Loopback targets (127/8, ::1, localhost): development and tests only. */
  allowLoopback?: boolean | undefined;
  /** RFC 1918, 100.64/10, fc00::/7 targets: self-hosted receivers on the operator's network. */
  allowPrivate?: boolean | undefined;
  /** `file:` URLs, for the uses that take them (buildpacks): they read the platform host's disk. */
  allowFileUrls?: boolean | undefined;
  /** More addresses or CIDR ranges never reached (the platform's own, besides its interfaces'). */
  deny?: readonly string[] | undefined;
}

export interface EgressGuardOptions extends EgressPolicy {
  resolve?: EgressResolver | undefined;
  /** The platform's own addresses (default: every non-internal interface's). */
  ownAddresses?: (() => readonly string[]) | undefined;
  /** A resolution taking longer fails (ms, default 5000). */
  resolveTimeoutMs?: number | undefined;
}

/** What one use of the guard accepts. */
export interface EgressUse {
  /** Named in messages: `url`, `updates`, … */
  field: string;
  /** Allowed schemes with their colon: `https:`, `syslog+tls:`, `file:` (the last only when the policy allows it). */
  schemes: readonly string[];
  /** Whether `user:password@` may appear (HTTPS drains: basic auth). */
  credentials?: boolean;
  /** The rule, appended to every refusal. */
  rule: string;
}

export interface CheckedUrl {
  url: URL;
  /** The host, unbracketed (empty for `file:`). */
  host: string;
  /** The addresses checked (empty for `file:`, or an unresolved name when allowed). */
  addresses: string[];
}

const maxUrlLength = 2048;

function systemResolver(name: string): Promise<string[]> {
  return dns.promises.lookup(name, { all: true, verbatim: true }).then((all) => all.map((a) => a.address));
}

function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.internal)
    .map((i) => i!.address);
}

const classWords: Record<Exclude<AddressClass, 'public'>, string> = {
  loopback: 'a loopback address',
  private: 'a private network address',
  'link-local': 'a link-local address',
  unspecified: 'not a routable address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

/** A target the guard refuses: `invalid_params` (422), so an API caller learns why. */
export class EgressRefusedError extends AppError {
  constructor(message: string) {
    super('invalid_params', message);
    this.name = 'EgressRefusedError';
  }
}

export class EgressGuard {
  private readonly resolver: EgressResolver;
  private readonly denied: { address: CanonicalAddress; bits: number }[];
  private readonly own: () => readonly string[];

  constructor(private readonly o: EgressGuardOptions = {}) {
    this.resolver = o.resolve ?? systemResolver;
    this.own = o.ownAddresses ?? interfaceAddresses;
    this.denied = (o.deny ?? []).map((entry) => {
      const [addr, bits] = entry.split('/');
      const address = parseAddress(addr ?? '');
      if (!address) throw new Error(`${entry} is not an address or CIDR range`);
      const max = address.family === 4 ? 32 : 128;
      const n = bits === undefined ? max : Number(bits);
      if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${entry} is not an address or CIDR range`);
      return { address, bits: n };
    });
  }

  get policy(): Readonly<EgressPolicy> {
    return this.o;
  }

  /** Why this address may not be reached, or undefined when it may. */
  refusal(address: CanonicalAddress | string): string | undefined {
    const a = typeof address === 'string' ? parseAddress(address) : address;
    if (!a) return `${String(address)} is not an address`;
    const cls = classifyAddress(a);
    if (cls === 'loopback' && this.o.allowLoopback) return undefined;
    if (cls !== 'public' && !(cls === 'private' && this.o.allowPrivate)) return `${a.text} is ${classWords[cls]}`;
    if (this.isOwn(a)) return `${a.text} is one of the platform's own addresses`;
    return undefined;
  }

  private isOwn(address: CanonicalAddress): boolean {
    const a = plain(address);
    const same = (b: CanonicalAddress | undefined): boolean => b !== undefined && plain(b).text === a.text;
    if (this.own().some((text) => same(parseAddress(text.replace(/%.*$/, ''))))) return true;
    return this.denied.some(({ address: d, bits }) => d.family === a.family && prefixEqual(d.bytes, a.bytes, bits));
  }

  /**
   * Parses and checks a URL without resolving it: scheme, credentials, length, and a host given as
   * an address (in any notation) or as `localhost`. Refusals are 422s naming the rule.
   */
  parseUrl(raw: string, use: EgressUse): CheckedUrl {
    const refuse = (reason: string): never => {
      throw new EgressRefusedError(`${use.field}: ${reason} (${use.rule})`);
    };
    if (typeof raw !== 'string' || raw.trim() === '') refuse('is required');
    if (raw.length > maxUrlLength) refuse(`is longer than ${maxUrlLength} characters`);
    if (/[\s\0-\x1f\x7f]/.test(raw)) refuse('must not contain spaces or control characters');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return refuse(`${JSON.stringify(raw.slice(0, 100))} is not a URL`);
    }
    const scheme = url.protocol;
    if (!use.schemes.includes(scheme)) {
      if (scheme === 'http:') refuse('plain http:// is not allowed: the traffic would cross the network unencrypted; use https://');
      refuse(`the scheme ${scheme.replace(/:$/, '')} is not allowed`);
    }
    if (scheme === 'file:') {
      if (!this.o.allowFileUrls) refuse("file: URLs read the platform's own disk and are not allowed here (an operator setting allows them)");
      if (url.host !== '') refuse('a file: URL names no host');
      return { url, host: '', addresses: [] };
    }
    if ((url.username || url.password) && !use.credentials) refuse('must not carry a user name or password: credentials in a URL end up in logs');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (host === '') refuse('needs a host');
    const literal = readHost(url.hostname);
    if (literal.kind === 'invalid') return refuse(literal.reason);
    if (literal.kind === 'address') {
      const reason = this.refusal(literal.address);
      if (reason) return refuse(literalRefusal(url.hostname, literal.address, reason));
      return { url, host: literal.address.text, addresses: [literal.address.text] };
    }
    if (isLocalhostName(literal.name) && !this.o.allowLoopback) refuse(`${literal.name} is refused: it names this machine`);
    return { url, host: literal.name, addresses: [] };
  }

  /**
   * Resolves a host and checks every address it resolves to. A name that does not resolve is refused,
   * unless `unresolved: 'allow'` (a target saved now and checked again whenever it is connected to).
   */
  async checkHost(host: string, opts: { field?: string; unresolved?: 'refuse' | 'allow' } = {}): Promise<string[]> {
    const field = opts.field ?? 'url';
    const literal = readHost(host);
    if (literal.kind === 'invalid') throw new EgressRefusedError(`${field}: ${literal.reason}`);
    if (literal.kind === 'address') {
      const reason = this.refusal(literal.address);
      if (reason) throw new EgressRefusedError(`${field}: ${literalRefusal(host, literal.address, reason)}`);
      return [literal.address.text];
    }
    if (isLocalhostName(literal.name) && !this.o.allowLoopback) throw new EgressRefusedError(`${field}: ${literal.name} is refused: it names this machine`);
    let addresses: string[];
    try {
      addresses = await this.resolveName(literal.name);
    } catch (err) {
      if (opts.unresolved === 'allow') return [];
      throw new EgressRefusedError(`${field}: ${literal.name} does not resolve (${(err as Error).message})`);
    }
    this.checkResolved(literal.name, addresses, field);
    return addresses;
  }

  /** `parseUrl`, then `checkHost` (nothing to resolve for `file:`). */
  async checkUrl(raw: string, use: EgressUse, opts: { unresolved?: 'refuse' | 'allow' } = {}): Promise<CheckedUrl> {
    const checked = this.parseUrl(raw, use);
    if (checked.url.protocol === 'file:' || checked.addresses.length > 0) return checked;
    return { ...checked, addresses: await this.checkHost(checked.host, { field: use.field, ...opts }) };
  }

  /**
   * A `lookup` for net.connect, tls.connect and http(s) agents: resolves with the guard's resolver
   * and refuses the connection when any address is refused, so what is connected to is what was checked.
   */
  readonly lookup: LookupFunction = ((hostname: string, options: dns.LookupOptions | number | undefined, callback: (err: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void) => {
    const opts: dns.LookupOptions = typeof options === 'object' && options !== null ? options : { family: typeof options === 'number' ? options : 0 };
    this.checkHost(hostname, { field: 'connect' })
      .then((addresses) => {
        const all = addresses
          .map((text) => parseAddress(text)!)
          .filter((a) => a && (!opts.family || opts.family === a.family || opts.family === (`IPv${a.family}` as unknown)))
          .map((a) => ({ address: a.text, family: a.family }));
        if (all.length === 0) return callback(Object.assign(new Error(`${hostname} has no address of the family asked for`), { code: 'ENOTFOUND' }));
        if (opts.all) return callback(null, all);
        callback(null, all[0]!.address, all[0]!.family);
      })
      .catch((err: Error) => callback(Object.assign(new Error(`refused: ${err.message.replace(/^connect: /, '')}`), { code: 'EGRESS_REFUSED' })));
  }) as unknown as LookupFunction;

  private async resolveName(name: string): Promise<string[]> {
    const ms = this.o.resolveTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const addresses = await Promise.race([
        this.resolver(name),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
        }),
      ]);
      if (addresses.length === 0) throw new Error('no addresses');
      return addresses;
    } finally {
      clearTimeout(timer);
    }
  }

  private checkResolved(name: string, addresses: string[], field: string): void {
    for (const text of addresses) {
      const a = parseAddress(text);
      const reason = a ? this.refusal(a) : `${text} is not an address`;
      if (reason) throw new EgressRefusedError(`${field}: ${name} is refused: it resolves to ${reason.replace(/^\S+ is /, `${a?.text ?? text}, `)}`);
    }
  }
}

/** `127.0.0.1 is a loopback address`, or `127.1 is refused: 127.0.0.1 is a loopback address` for another spelling. */
function literalRefusal(written: string, a: CanonicalAddress, reason: string): string {
  return written.replace(/^\[|\]$/g, '').toLowerCase() === a.text ? reason : `${written} is refused: ${reason}`;
}

function isLocalhostName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === 'localhost.localdomain' || name === 'ip6-localhost' || name === 'ip6-loopback';
}

/** An IPv6 address carrying an IPv4 one, as that IPv4 address. */
function plain(a: CanonicalAddress): CanonicalAddress {
  const v4 = embeddedIPv4(a);
  return v4 ? canonical(v4) : a;
}

function prefixEqual(a: number[], b: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const bit = (x: number[]): number => ((x[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
    if (bit(a) !== bit(b)) return false;
  }
  return true;
}
