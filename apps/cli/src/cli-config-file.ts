import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.js';

/** `$PAAS_HOME/cli.json`: where `paas login` keeps the API URL, the token and the email. */
const cliConfigSchema = z
  .object({
    api_url: z.string().optional(),
    token: z.string().optional(),
    email: z.string().optional(),
  })
  .passthrough();

export type CliConfig = z.infer<typeof cliConfigSchema>;

export class CliConfigFile {
  readonly path: string;

  constructor(home: string) {
    this.path = join(home, 'cli.json');
  }

  /** The stored config; `{}` when the file does not exist yet. */
  async read(): Promise<CliConfig> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new CliError(`cannot read ${this.path}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliError(`${this.path} is not valid JSON; fix it or delete it and run paas login`);
    }
    const result = cliConfigSchema.safeParse(json);
    if (!result.success) {
      throw new CliError(`${this.path} is malformed; fix it or delete it and run paas login`);
    }
    return result.data;
  }

  /** Writes the whole file, readable by its owner only (it holds a token). */
  async write(config: CliConfig): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.path);
  }

  async update(change: (config: CliConfig) => CliConfig): Promise<CliConfig> {
    const next = change(await this.read());
    await this.write(next);
    return next;
  }
}
