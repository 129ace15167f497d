// The API fuzzer in CI: a fixed seed and a bounded budget over every route in /openapi.json. A
// hostile request must get a 4xx (never a 5xx), an answer within the deadline, and leave the same
// controller process healthy and its database consistent. `npm run fuzz` runs it longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupFindings, runFuzz } from './api-fuzzer.js';

test('hostile requests to every API route: never a 5xx, never a hang, the same process alive and healthy, the database consistent', { timeout: 120_000 }, async () => {
  const report = await runFuzz({ seed: 23, requests: 3000, budgetMs: 40_000, deadlineMs: 5000 });
  const summary = `${report.cases} requests to ${report.operations} operations in ${(report.durationMs / 1000).toFixed(1)} s; longest event-loop stall ${report.maxStallMs.toFixed(1)} ms`;
  assert.ok(report.operations >= 40, `the OpenAPI document lists the routes (${report.operations})`);
  assert.ok(report.cases >= 300, `enough requests were sent: ${summary}`);
  assert.deepEqual(report.crashes.map((c) => `${c.request} [${c.label}]: ${c.cause}`), [], 'the controller crashed');
  assert.deepEqual(report.hangs.map((h) => `${h.request} [${h.label}]`), [], `requests left unanswered (${summary})`);
  assert.deepEqual(groupFindings(report.serverErrors).map((g) => `${g.count} × ${g.cause} (e.g. ${g.example.slice(0, 160)})`), [], `5xx answers (${summary})`);
  assert.ok(report.samePid, 'the same controller process answers afterwards');
  assert.ok(report.healthy, 'the health check answers afterwards');
  assert.deepEqual(report.dbProblems, [], 'the database is consistent afterwards');
});
