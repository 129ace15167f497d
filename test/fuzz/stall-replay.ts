// The longest stall a single request causes, told apart from the machine's noise. During a run, the
// event loop's longest delay per request is wall-clock time: on a busy shared machine the controller
// is also stalled whenever the OS runs something else, whatever the request. So the requests behind
// the worst stalls are kept, sent again alone at the end a few times each, and each is charged the
// least stall of its replays: a request that stalls the loop does so every time, noise does not.
import { sendRaw } from './raw-http.js';

export interface StallCandidate {
  /** The stall seen during the run (ms, beyond the timer's resolution). */
  ms: number;
  /** Route, case label and request line. */
  what: string;
  bytes: Buffer;
  reset: boolean;
}

export interface ReplayedStall {
  what: string;
  /** During the run. */
  firstMs: number;
  /** Each replay's stall (ms). */
  replayMs: number[];
  /** The least of the replays: what the request itself costs. */
  ms: number;
  /** Each replay's answer (0: none). */
  statuses: number[];
}

/** The `keep` requests with the longest stalls seen so far. */
export class WorstStalls {
  private readonly worst: StallCandidate[] = [];

  constructor(private readonly keep = 10) {}

  offer(c: StallCandidate): void {
    if (this.worst.length >= this.keep && c.ms <= this.worst[this.worst.length - 1]!.ms) return;
    this.worst.push(c);
    this.worst.sort((a, b) => b.ms - a.ms);
    this.worst.length = Math.min(this.worst.length, this.keep);
  }

  list(): StallCandidate[] {
    return [...this.worst];
  }
}

/**
 * Sends each candidate `times` times, alone, asking the controller for its longest stall before (which
 * resets it) and after each; the result is sorted by the least stall of each candidate's replays.
 * `stall` answers undefined once the controller is gone (then the replays stop).
 */
export async function replayStalls(
  candidates: StallCandidate[],
  port: number,
  stall: () => Promise<number | undefined>,
  deadlineMs: number,
  times = 3,
): Promise<ReplayedStall[]> {
  const out: ReplayedStall[] = [];
  for (const c of candidates) {
    const replayMs: number[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < times; i++) {
      if ((await stall()) === undefined) return out;
      const answer = await sendRaw(port, c.bytes, deadlineMs, c.reset);
      statuses.push(answer.kind === 'answered' ? answer.status : 0);
      if (c.reset) await new Promise((r) => setTimeout(r, 10));
      const ms = await stall();
      if (ms === undefined) return out;
      replayMs.push(ms);
    }
    out.push({ what: c.what, firstMs: c.ms, replayMs, ms: Math.min(...replayMs), statuses });
  }
  return out.sort((a, b) => b.ms - a.ms);
}
