/**
 * IP addresses in canonical form, for the egress guard: an address a user writes in any notation a
 * resolver or a URL parser would accept (`127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1`,
 * `[::ffff:127.0.0.1]`) is read into its bytes once, and classified from the bytes, never from the text.
 */

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

export interface CanonicalAddress {
  family: 4 | 6;
  /** 4 or 16 bytes. */
  bytes: number[];
  /** Dotted quad, or RFC 5952 IPv6 text. */
  text: string;
}

/** What a literal host is: an address, a name to resolve, or something no resolver should be given. */
export type HostLiteral = { kind: 'address'; address: CanonicalAddress } | { kind: 'name'; name: string } | { kind: 'invalid'; reason: string };

const ipv4Part = /^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/i;
const numeric = /^[0-9a-fx.]+$/i;

/** Reads an IPv4 address as inet_aton and WHATWG URL do: 1 to 4 parts, each decimal, octal (0…) or hex (0x…). */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop(); // a trailing dot
  if (parts.length < 1 || parts.length > 4 || !parts.every((p) => ipv4Part.test(p))) return undefined;
  const values = parts.map((p) => (/^0x/i.test(p) ? (p.length === 2 ? 0 : parseInt(p.slice(2), 16)) : p.length > 1 && p.startsWith('0') ? parseInt(p.slice(1), 8) : Number(p)));
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return undefined;
  if (!Number.isSafeInteger(last) || last >= 256 ** (4 - values.length)) return undefined;
  const bytes = [...values];
  for (let i = 4 - values.length - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes;
}

/** Reads an IPv6 address (with `::`, an embedded dotted quad, and a `%zone` dropped) into 16 bytes. */
export function parseIPv6(text: string): number[] | undefined {
  const t = text.replace(/%.*$/, '');
  if (!/^[0-9a-f:.]+$/i.test(t) || !t.includes(':')) return undefined;
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(item) ? item.split('.').map(Number) : undefined;
        if (!v4 || v4.some((b) => b > 255)) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(item)) return undefined;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function ipv6Text(bytes: number[]): string {
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.at === -1) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

export function canonical(bytes: number[]): CanonicalAddress {
  return bytes.length === 4 ? { family: 4, bytes, text: bytes.join('.') } : { family: 6, bytes, text: ipv6Text(bytes) };
}

/**
 * Reads a URL's host (brackets, case and a trailing dot allowed) as an address in any notation, or
 * as a name. Something that looks numeric but is no address (`1.2.3.999`, `08.1`) is invalid: a
 * resolver might read it some other way.
 */
export function readHost(host: string): HostLiteral {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) {
    const v6 = parseIPv6(h.slice(1, -1));
    return v6 ? { kind: 'address', address: canonical(v6) } : { kind: 'invalid', reason: `${host} is not an IPv6 address` };
  }
  const v6 = parseIPv6(h);
  if (v6) return { kind: 'address', address: canonical(v6) };
  if (h.includes(':')) return { kind: 'invalid', reason: `${host} is not a host name or address` };
  const v4 = parseIPv4(h);
  if (v4) return { kind: 'address', address: canonical(v4) };
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === '') return { kind: 'invalid', reason: 'the host is empty' };
  // The last label all digits or hex-looking: a resolver would try to read it as an address.
  const last = h.split('.').at(-1)!;
  if (numeric.test(h) && /^(0x[0-9a-f]*|[0-9]+)$/i.test(last)) return { kind: 'invalid', reason: `${host} is not a valid address` };
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(h)) return { kind: 'invalid', reason: `${host} is not a valid host name` };
  return { kind: 'name', name: h };
}

/** An address given as text (what a resolver answers), canonical, or undefined when it is none. */
export function parseAddress(text: string): CanonicalAddress | undefined {
  const v6 = parseIPv6(text);
  if (v6) return canonical(v6);
  const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(text) ? parseIPv4(text) : undefined;
  return v4 ? canonical(v4) : undefined;
}

type Range = [bytes: number[], bits: number, cls: AddressClass];

const v4Ranges: Range[] = [
  [[0, 0, 0, 0], 8, 'unspecified'], // "this network", 0.0.0.0 included
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'], // cloud metadata services live here
  [[10, 0, 0, 0], 8, 'private'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 168, 0, 0], 16, 'private'],
  [[100, 64, 0, 0], 10, 'private'], // carrier-grade NAT
  [[192, 0, 0, 0], 24, 'reserved'], // protocol assignments (some metadata services)
  [[198, 18, 0, 0], 15, 'reserved'], // benchmarking
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'], // and the broadcast address
];

const v6Ranges: Range[] = [
  [new Array<number>(16).fill(0), 128, 'unspecified'],
  [[...new Array<number>(15).fill(0), 1], 128, 'loopback'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'private'], // site-local, deprecated
  [[0xfc, 0], 7, 'private'], // unique local
  [[0xff, 0], 8, 'multicast'],
  [[0x01, 0, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard-only
];

function inRange(bytes: number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 address carries: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16). */
export function embeddedIPv4(a: CanonicalAddress): number[] | undefined {
  if (a.family !== 6) return undefined;
  const b = a.bytes;
  const zeros = (from: number, to: number): boolean => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12);
  if (zeros(0, 12) && !(zeros(12, 15) && (b[15] ?? 0) <= 1)) return b.slice(12); // not :: or ::1
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12);
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6);
  return undefined;
}

/** What kind of address this is; an IPv6 address carrying an IPv4 one is what that IPv4 address is. */
export function classifyAddress(a: CanonicalAddress): AddressClass {
  const v4 = embeddedIPv4(a);
  if (v4) return classifyAddress(canonical(v4));
  for (const r of a.family === 4 ? v4Ranges : v6Ranges) if (inRange(a.bytes, r)) return r[2];
  return 'public';
}
