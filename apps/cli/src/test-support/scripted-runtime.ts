// The controller's in-memory runtime with attached one-offs that act out a small script, so `paas
// run` can be tested through the real API and attach protocol without Docker.
import { PassThrough } from 'node:stream';
import type { TerminalSize } from '@paas/shared';
import { MemoryRuntimeBackend } from '../../../controller/src/runtime/memory-runtime-backend.js';
import type { AttachedOneOff, OneOffIo, OneOffSpec } from '../../../controller/src/runtime/one-off.js';

export interface ScriptedRun {
  spec: OneOffSpec;
  /** What reached the process's stdin. */
  stdin: string;
  resizes: TerminalSize[];
}

/**
 * An attached one-off writes `ran <command>` to stdout, echoes its stdin to stdout, writes `bye` to
 * stderr at the end of its input, then exits with N when the command says `exit N` (else 0). The
 * command `fail` fails as a lost host does.
 */
export class ScriptedRuntime extends MemoryRuntimeBackend {
  readonly attachedRuns: ScriptedRun[] = [];

  override async runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    const { info } = await super.runAttached(spec, { ...io, stdout: new PassThrough() });
    const run: ScriptedRun = { spec, stdin: '', resizes: [] };
    this.attachedRuns.push(run);
    const resize = async (size: TerminalSize): Promise<void> => {
      run.resizes.push(size);
    };
    if (spec.command === 'fail') {
      const exit = new Promise<number>((_, reject) => setImmediate(() => reject(new Error(`the host of ${info.name} was lost`))));
      exit.catch(() => {}); // the API awaits it a little later
      return { info, exit, resize };
    }
    const code = Number(/exit (\d+)/.exec(spec.command)?.[1] ?? 0);
    io.stdout.write(`ran ${spec.command}\n`);
    const exit = new Promise<number>((resolve) => {
      io.stdin.on('data', (chunk: Buffer) => {
        run.stdin += chunk.toString();
        io.stdout.write(chunk);
      });
      io.stdin.on('end', () => io.stderr.write('bye\n', () => resolve(code)));
    });
    return { info, exit, resize };
  }
}
