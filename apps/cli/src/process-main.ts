// The real process's streams, environment and paths, handed to run(): shared by main.ts (a checkout's
// bin/paas) and installed-main.ts (the npm package).
import { homedir } from 'node:os';
import { run } from './program.js';

/** Runs the CLI on this process's argv; `selfCommand` is how git's credential helper runs this same CLI again. */
export async function startCli(o: { selfCommand: string[]; version: string }): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0); // `paas apps | head`
    throw err;
  });
  process.exitCode = await run(
    process.argv.slice(2),
    {
      io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
      env: process.env,
      cwd: process.cwd(),
      homeDir: homedir(),
      selfCommand: o.selfCommand,
    },
    { version: o.version },
  );
}
