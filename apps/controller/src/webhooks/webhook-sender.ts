import https from 'node:https';
import tls from 'node:tls';
import type { EgressGuard, EgressUse } from '@paas/shared';

export const webhookUrlRule = 'webhook URLs are https:// addresses reachable from the platform, with no credentials in them';

/** What the egress guard accepts for a webhook's URL (the same guard and operator settings as log drains and buildpack URLs). */
export const webhookEgressUse: EgressUse = { field: 'url', schemes: ['https:'], rule: webhookUrlRule };

export interface WebhookSendOptions {
  guard: EgressGuard;
  /** Extra CA certificates trusted besides the system's (a private CA; tests). */
  ca?: Buffer | undefined;
  /** The whole attempt (connect, send, answer) ends by then (ms). */
  timeoutMs: number;
  /** Bytes of the answer read at most; the rest is not waited for. */
  maxResponseBytes?: number;
}

/** One attempt's outcome: the status the receiver answered (null when none), and why it failed. */
export interface SendResult {
  ok: boolean;
  code: number | null;
  error: string | null;
}

/**
 * POSTs one delivery. The URL is checked by the egress guard before connecting and again at connect
 * time (its `lookup`: no DNS rebinding); redirects are not followed (a 3xx is a failed attempt);
 * the attempt has one deadline for everything, and at most `maxResponseBytes` of the answer are
 * read, so a slow or endless receiver holds a worker slot no longer than the deadline.
 */
export async function sendWebhook(url: string, body: Buffer, headers: Record<string, string>, o: WebhookSendOptions): Promise<SendResult> {
  let target: URL;
  try {
    target = (await o.guard.checkUrl(url, webhookEgressUse)).url;
  } catch (err) {
    return { ok: false, code: null, error: `refused: ${(err as Error).message.replace(/^url: /, '')}` };
  }
  const maxBytes = o.maxResponseBytes ?? 64 * 1024;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: SendResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      resolve(r);
    };
    const req = https.request(
      {
        protocol: 'https:',
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || 443,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        agent: false,
        lookup: o.guard.lookup,
        ca: o.ca ? [...tls.rootCertificates, o.ca.toString('utf8')] : undefined,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const code = res.statusCode ?? 0;
        let seen = 0;
        const done = (): void => {
          if (code >= 200 && code < 300) finish({ ok: true, code, error: null });
          else if (code >= 300 && code < 400) finish({ ok: false, code, error: `the receiver answered a redirect (HTTP ${code}): redirects are not followed` });
          else finish({ ok: false, code, error: `the receiver answered HTTP ${code}` });
        };
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > maxBytes) done();
        });
        res.on('end', done);
        res.on('error', done);
      },
    );
    const deadline = setTimeout(() => finish({ ok: false, code: null, error: `no answer within ${o.timeoutMs} ms` }), o.timeoutMs);
    req.on('error', (err) => finish({ ok: false, code: null, error: err.message }));
    req.end(body);
  });
}
