import type { InternalAccessTable, Logger } from '@paas/shared';
import { ipToInt, parseCidr, toError } from '@paas/shared';

/** Where the table comes from (RedisInternalAccess in production). */
export interface InternalAccessSource {
  read(): Promise<InternalAccessTable>;
  watch(onChange: () => void): Promise<() => Promise<void>>;
}

interface Range {
  start: number;
  end: number;
  app: string;
}

/**
 * The router's view of the internal access table: which app a connecting address belongs to (the
 * subnets of the app networks on this router's host) and which sources each target allows. Read
 * whole at start, again on each announced change and every `resyncMs`; on a failed read the last
 * good view stays.
 */
export class InternalAccess {
  private ranges: Range[] = [];
  private allowed = new Map<string, Set<string>>();
  private stopWatch: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly source: InternalAccessSource,
    private readonly o: { hostName: string; resyncMs: number; logger: Logger },
  ) {}

  /** Applies a table (used by start and the tests). */
  apply(table: InternalAccessTable): void {
    const ranges: Range[] = [];
    for (const s of table.subnets) {
      if (s.host !== this.o.hostName) continue;
      try {
        const { start, size } = parseCidr(s.subnet);
        ranges.push({ start, end: start + size - 1, app: s.app });
      } catch {
        /* not an IPv4 CIDR: no address maps to it */
      }
    }
    this.ranges = ranges;
    this.allowed = new Map(Object.entries(table.allowed).map(([t, s]) => [t, new Set(s)]));
  }

  /** The app whose network on this host holds `address` (IPv4, or IPv4-mapped IPv6), if any. */
  sourceOf(address: string | undefined): string | undefined {
    const n = ipv4ToInt(address?.startsWith('::ffff:') ? address.slice(7) : address);
    if (n === undefined) return undefined;
    return this.ranges.find((r) => n >= r.start && n <= r.end)?.app;
  }

  /** Whether `target`'s owner allows `source` to reach it (an app is never its own source here: it has its network). */
  allows(target: string, source: string): boolean {
    return this.allowed.get(target)?.has(source) ?? false;
  }

  async start(): Promise<void> {
    this.stopWatch = await this.source.watch(() => this.refresh()).catch((err: unknown) => {
      this.o.logger.warn({ err: toError(err) }, 'cannot watch the internal access table: resyncing on the timer only');
      return undefined;
    });
    await this.read();
    this.timer = setInterval(() => this.refresh(), this.o.resyncMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.stopWatch?.();
    await this.reading;
  }

  /** One read at a time; a change announced during a read is read again after it. */
  private refresh(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  private async read(): Promise<void> {
    try {
      this.apply(await this.source.read());
    } catch (err) {
      this.o.logger.warn({ err: toError(err) }, 'reading the internal access table failed: keeping the last one');
    }
  }
}

function ipv4ToInt(ip: string | undefined): number | undefined {
  if (ip === undefined) return undefined;
  try {
    return ipToInt(ip);
  } catch {
    return undefined;
  }
}
