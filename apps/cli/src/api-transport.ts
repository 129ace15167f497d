import { ApiError } from './api-error.js';
import { CliError } from './cli-error.js';

export interface ApiClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:5050`. */
  url: string;
  token?: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Told the platform's version from each answer's `Paas-Version` header. */
  onPlatformVersion?: (version: string) => void;
}

/**
 * HTTP to the controller's REST API: JSON requests with the bearer token and a deadline, error
 * answers as ApiError, every page of a list, and the log stream. ApiClient names the endpoints.
 */
export class ApiTransport {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly onPlatformVersion: ((version: string) => void) | undefined;

  constructor(options: ApiClientOptions) {
    this.onPlatformVersion = options.onPlatformVersion;
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** `GET /apps/{app}/logs` as server-sent events (commands/logs.ts reads them): the body once the answer is 200. */
  openLogStream(app: string, query: Record<string, string>, lastEventId?: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    return this.openStream('GET', `${appPath(app)}/logs?${new URLSearchParams(query)}`, undefined, headers, signal);
  }

  /** A streamed answer (server-sent events, NDJSON): the body once the answer is 200, else the API's error. */
  async openStream(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headers: Record<string, string> = { accept: 'application/x-ndjson', ...extraHeaders };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw this.networkError(err);
    }
    if (res.ok && res.body) return res.body;
    const text = await res.text().catch(() => '');
    let answer: { id?: unknown; message?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      // not JSON
    }
    throw new ApiError(
      res.status,
      typeof answer.id === 'string' ? answer.id : `http_${res.status}`,
      typeof answer.message === 'string' ? answer.message : `the paas API answered ${res.status} to ${method} ${path.split('?')[0]}`,
    );
  }

  /**
   * A request whose body or answer is not JSON (a source upload, a build's output stream), to `url`
   * (a path of the API, or an absolute URL the API handed out); the bearer token goes to the API's
   * own origin only. The answer once it is 2xx; an error answer as ApiError.
   */
  async raw(method: string, url: string, body?: Uint8Array, contentType = 'application/octet-stream'): Promise<Response> {
    const target = url.startsWith('/') ? `${this.url}${url}` : url;
    const headers: Record<string, string> = {};
    if (this.token !== undefined && new URL(target).origin === new URL(this.url).origin) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = contentType;
    let res: Response;
    try {
      res = await this.fetchFn(target, { method, headers, body });
    } catch (err) {
      throw this.networkError(err);
    }
    if (res.ok) return res;
    throw await errorAnswer(res, `${method} ${new URL(target).pathname}`);
  }

  /** Every page of a list, following the Next-Cursor header. */
  protected async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page: { data: T[]; headers: Headers } = await this.exchange<T[]>(
        'GET',
        cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`,
      );
      if (!Array.isArray(page.data)) throw new CliError(`the paas API answered GET ${path} with something other than a list`);
      items.push(...page.data);
      cursor = page.headers.get('next-cursor');
    } while (cursor);
    return items;
  }

  /** One JSON call; public for the endpoint groups kept in files of their own (addons-client.ts, volumes-client.ts, certs-auto-client.ts, lifecycle-client.ts). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.exchange<T>(method, path, body)).data;
  }

  private async exchange<T>(method: string, path: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(`${this.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.networkError(err);
    }
    const version = res.headers.get('paas-version');
    if (version !== null) this.onPlatformVersion?.(version);
    const text = await res.text();
    let data: unknown = undefined;
    let isJson = false;
    if (text.trim() !== '') {
      try {
        data = JSON.parse(text);
        isJson = true;
      } catch {
        // handled below
      }
    }
    if (!res.ok) {
      const obj = isJson && typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
      const id = typeof obj['id'] === 'string' ? obj['id'] : `http_${res.status}`;
      const message =
        typeof obj['message'] === 'string' && obj['message'] !== ''
          ? obj['message']
          : `the paas API answered ${res.status} ${res.statusText || ''}`.trimEnd() + ` to ${method} ${path}`;
      throw new ApiError(res.status, id, message);
    }
    if (!isJson) {
      throw new CliError(`the paas API at ${this.url} answered ${method} ${path} with something other than JSON`);
    }
    return { data: data as T, headers: res.headers };
  }

  private networkError(err: unknown): CliError {
    if (err instanceof Error && err.name === 'TimeoutError') {
      return new CliError(`the paas API at ${this.url} did not answer within ${Math.round(this.timeoutMs / 1000)}s`, {
        cause: err,
      });
    }
    const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
    const code = cause?.code;
    const detail = code !== undefined && code !== 'ECONNREFUSED' ? ` (${code})` : '';
    return new CliError(`cannot reach the paas API at ${this.url}${detail}: is the platform up? (npm run up)`, {
      cause: err,
    });
  }
}

/** An error answer of a call that is not a JSON exchange, as an ApiError (its body's id and message when it has them). */
async function errorAnswer(res: Response, call: string): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: { id?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON
  }
  return new ApiError(
    res.status,
    typeof body.id === 'string' ? body.id : `http_${res.status}`,
    typeof body.message === 'string' && body.message !== '' ? body.message : `the paas API answered ${res.status} to ${call}`,
  );
}

export function appPath(app: string): string {
  return `/apps/${encodeURIComponent(app)}`;
}
