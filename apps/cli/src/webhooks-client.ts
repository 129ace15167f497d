import type { CreatedWebhook, Webhook, WebhookDelivery, WebhookEvent } from '@paas/shared/api-contract';
import type { ApiClient } from './api-client.js';

/** The API's calls for app webhooks (issue 24), kept apart from api-client.ts. */
export type { CreatedWebhook, Webhook, WebhookDelivery, WebhookEvent } from '@paas/shared/api-contract';

export interface WebhookCreate {
  url: string;
  include: string[];
  level: 'notify' | 'sync';
  secret?: string;
  authorization?: string;
}

const path = (app: string, what = 'webhooks'): string => `/apps/${encodeURIComponent(app)}/${what}`;

export const webhooksApi = {
  list: (c: ApiClient, app: string) => c.request<Webhook[]>('GET', path(app)),
  info: (c: ApiClient, app: string, id: string) => c.request<Webhook>('GET', `${path(app)}/${encodeURIComponent(id)}`),
  create: (c: ApiClient, app: string, body: WebhookCreate) => c.request<CreatedWebhook>('POST', path(app), body),
  update: (c: ApiClient, app: string, id: string, body: Partial<WebhookCreate>) => c.request<Webhook>('PATCH', `${path(app)}/${encodeURIComponent(id)}`, body),
  remove: (c: ApiClient, app: string, id: string) => c.request<Webhook>('DELETE', `${path(app)}/${encodeURIComponent(id)}`),
  deliveries: (c: ApiClient, app: string) => c.request<WebhookDelivery[]>('GET', path(app, 'webhook-deliveries')),
  delivery: (c: ApiClient, app: string, id: string) => c.request<WebhookDelivery>('GET', `${path(app, 'webhook-deliveries')}/${encodeURIComponent(id)}`),
  events: (c: ApiClient, app: string) => c.request<WebhookEvent[]>('GET', path(app, 'webhook-events')),
  event: (c: ApiClient, app: string, id: string) => c.request<WebhookEvent>('GET', `${path(app, 'webhook-events')}/${encodeURIComponent(id)}`),
};
