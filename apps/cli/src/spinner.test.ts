import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Spinner } from './spinner.js';

describe('Spinner', () => {
  it('spins on a terminal once the action is slower than the delay, and erases itself', async () => {
    let out = '';
    const spinner = new Spinner({ write: (s: string) => (out += s), isTTY: true }, { delayMs: 20, intervalMs: 10 });
    spinner.start();
    await sleep(80);
    spinner.stop();
    assert.match(out, /^⠋(\x08.)*\x08 \x08$/u, 'frames, each over the last, then erased');
    const written = out.length;
    await sleep(30);
    assert.equal(out.length, written, 'nothing after stop');
  });

  it('shows nothing for quick actions or off a terminal', async () => {
    let out = '';
    const quick = new Spinner({ write: (s: string) => (out += s), isTTY: true }, { delayMs: 50 });
    quick.start();
    quick.stop();
    const piped = new Spinner({ write: (s: string) => (out += s) }, { delayMs: 0, intervalMs: 5 });
    piped.start();
    await sleep(30);
    piped.stop();
    assert.equal(out, '');
  });
});
