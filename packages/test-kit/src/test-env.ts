/**
 * Where integration tests find the real services. Tests read these variables directly (they are the
 * test harness's configuration, not the platform's), defaulting to the local services.
 */
export function testRedisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

export function testDatabaseAdminUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}
