/** One pass for a key; `replace` is the union of what its callers asked to be replaced. */
export type Pass = (replace: ReadonlySet<string>) => Promise<void>;

interface Next {
  pass: Pass;
  replace: Set<string>;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Flight {
  next?: Next;
}

/**
 * Passes per key (an app's reconcile passes), coalesced: "single flight with a dirty flag". With no
 * pass of the key running, a caller starts one. While one runs, callers do not queue a pass each:
 * they all share the NEXT pass, which starts when the running one ends. So every caller is answered
 * by a pass that began after it called (after the write it made before calling), and gets that
 * pass's error if it fails; N callers arriving together cost at most two passes. The `replace` sets
 * of the callers sharing a pass are merged, and the pass runs the function the latest of them gave.
 */
export class CoalescedPasses {
  private readonly flights = new Map<string, Flight>();

  /** A pass of `key` is running (or about to start). */
  busy(key: string): boolean {
    return this.flights.has(key);
  }

  /** Resolves (or rejects) with a pass of `key` that starts now, or after the one running. */
  run(key: string, pass: Pass, replace?: ReadonlySet<string>): Promise<void> {
    const flight = this.flights.get(key);
    if (!flight) return this.start(key, pass, new Set(replace));
    if (!flight.next) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      flight.next = { pass, replace: new Set(), done, resolve, reject };
    }
    flight.next.pass = pass;
    for (const id of replace ?? []) flight.next.replace.add(id);
    return flight.next.done;
  }

  private start(key: string, pass: Pass, replace: ReadonlySet<string>): Promise<void> {
    const flight: Flight = {};
    this.flights.set(key, flight);
    const running = new Promise<void>((resolve) => resolve(pass(replace)));
    const after = (): void => {
      const next = flight.next;
      if (!next) {
        this.flights.delete(key);
        return;
      }
      this.start(key, next.pass, next.replace).then(next.resolve, next.reject);
    };
    running.then(after, after);
    return running;
  }
}
