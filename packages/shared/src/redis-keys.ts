/** Every Redis key the platform uses, under one prefix so tests and platforms can share a server. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** BullMQ's own prefix. */
  get bull(): string {
    return `${this.prefix}:bull`;
  }
  buildLog(buildId: string): string {
    return `${this.prefix}:build:${buildId}:log`;
  }
  get routes(): string {
    return `${this.prefix}:routes`;
  }
  get routesChanged(): string {
    return `${this.prefix}:routes:changed`;
  }
  routeAck(app: string): string {
    return `${this.prefix}:routes:ack:${app}`;
  }
}

export const buildQueueName = 'builds';
