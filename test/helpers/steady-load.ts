/**
 * A steady load through a router for fault tests and the faults bench: one request at a time, a
 * pause between them, each counted as failed unless `ok` accepts its answer (by default a 200).
 */
export interface SteadyLoad {
  /** Stops the load and resolves with what it sent and how much of it failed. */
  stop(): Promise<{ requests: number; failed: number }>;
}

export function steadyLoad(
  get: () => Promise<{ status: number; body?: string }>,
  opts: { pauseMs?: number; ok?: (answer: { status: number; body?: string }) => boolean } = {},
): SteadyLoad {
  const ok = opts.ok ?? ((a) => a.status === 200);
  let requests = 0;
  let failed = 0;
  let loading = true;
  const loop = (async () => {
    while (loading) {
      requests++;
      const answer = await get().catch(() => ({ status: 0 }));
      if (!ok(answer)) failed++;
      await new Promise((r) => setTimeout(r, opts.pauseMs ?? 50));
    }
  })();
  return {
    async stop() {
      loading = false;
      await loop;
      return { requests, failed };
    },
  };
}
