// The console's only way to the controller: its REST API on the same origin, with the session token
// from POST /auth/login as a Bearer header (never a cookie, so no request can be forged cross-site).
// The token lives in sessionStorage: this tab only, gone when it closes; logout revokes it server-side.

const tokenKey = 'paas.session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

export function sessionToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function setSessionToken(token: string | null): void {
  if (token) sessionStorage.setItem(tokenKey, token);
  else sessionStorage.removeItem(tokenKey);
}

/** Called when the API answers 401 to a signed-in request (expired or revoked session). */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = sessionToken();
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function failure(res: Response): Promise<ApiError> {
  let id = 'http_' + res.status;
  let message = res.statusText;
  try {
    const body = (await res.json()) as { id?: string; message?: string };
    if (body.id) id = body.id;
    if (body.message) message = body.message;
  } catch {
    // not JSON: the status says it
  }
  if (res.status === 401 && sessionToken()) onUnauthorized();
  return new ApiError(res.status, id, message);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Reads a server-sent events answer with fetch (EventSource cannot send the Authorization header),
 * calling `onEvent` for each event until the server ends it or `signal` aborts.
 */
export async function stream(path: string, onEvent: (e: SseEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: headers({ accept: 'text/event-stream' }), signal });
  if (!res.ok || !res.body) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event: SseEvent = { event: 'message', data: '' };
  let hasData = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line === '') {
        if (hasData || event.event !== 'message') onEvent(event);
        event = { event: 'message', data: '' };
        hasData = false;
      } else if (line.startsWith(':')) {
        // a comment (keep-alive)
      } else {
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const v = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'data') {
          event.data = hasData ? `${event.data}\n${v}` : v;
          hasData = true;
        } else if (field === 'event') event.event = v;
        else if (field === 'id') event.id = v;
      }
    }
  }
}

export const enc = encodeURIComponent;
