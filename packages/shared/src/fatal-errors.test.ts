// Issue 23: an uncaught exception or unhandled rejection is logged (pino, with its cause) and the
// process exits non-zero for its supervisor to restart it, in a real child process that would
// otherwise run forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const program = `
import { createLogger, exitOnFatalErrors } from ${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))};
exitOnFatalErrors(createLogger('child'));
setInterval(() => undefined, 1000); // a process that would limp on forever
setTimeout(() => {
  if (process.argv[1] === 'throw') throw new Error('boom: the cause');
  void Promise.reject(new Error('rejected: the cause'));
}, 10);
`;

function runChild(kind: string): Promise<{ code: number | null; lines: Array<Record<string, unknown>> }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', program, kind],
      { timeout: 30_000 },
      (_err, stdout) => {
        const lines = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ code: child.exitCode, lines });
      },
    );
  });
}

for (const [kind, event, cause] of [
  ['throw', 'uncaughtException', 'boom: the cause'],
  ['reject', 'unhandledRejection', 'rejected: the cause'],
] as const) {
  test(`an ${event} is logged with its cause and the process exits non-zero`, async () => {
    const { code, lines } = await runChild(kind);
    assert.equal(code, 70);
    const fatal = lines.find((l) => l['level'] === 60);
    assert.ok(fatal, JSON.stringify(lines));
    assert.equal(fatal['kind'], event);
    assert.equal((fatal['err'] as { message: string }).message, cause);
    assert.match((fatal['err'] as { stack: string }).stack, /boom|rejected/);
  });
}
