/** Messages between the router's cluster primary and its workers (over node's IPC channel). */
export type WorkerMessage =
  | { type: 'paas:routes-applied'; routes: [app: string, version: number][] }
  | { type: 'paas:routes-removed'; apps: string[] }
  | { type: 'paas:metrics-request'; id: number };

export type PrimaryMessage = { type: 'paas:metrics'; id: number; contentType: string; text: string } | { type: 'paas:metrics'; id: number; error: string };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('paas:');
}

export function isPrimaryMessage(m: unknown): m is PrimaryMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'paas:metrics';
}
