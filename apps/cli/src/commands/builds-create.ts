import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Build } from '../api-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { packSource, sourceFiles } from '../source-tarball.js';

interface CreatedBuild extends Build {
  output_stream_url: string;
}

interface CreateOptions {
  sourceUrl?: string;
  dir?: string;
  version?: string;
  checksum?: string;
  app?: string;
  json?: boolean;
}

/** `builds:create --source-url URL` or `--dir DIR`: a build from a tarball (Heroku's build API), its output streamed. */
export function registerBuildsCreateCommand(program: Command, ctx: Context): void {
  program
    .command('builds:create')
    .description('build and release a source tarball (--source-url) or a directory uploaded through the API (--dir), without git; the build output streams back')
    .option('--source-url <url>', 'an https:// URL of a gzipped tar of the app (a GitHub archive, say)')
    .option('--dir <dir>', 'a directory to pack and upload (.gitignore honoured in a git work tree; .git left out)')
    .option('--version <version>', 'what the source is (a commit, a tag), shown with the build')
    .option('--checksum <checksum>', 'SHA256:<hex> of the tarball at --source-url: a mismatch fails the build')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('--json', 'print the build as JSON when it ends, instead of its output')
    .action((opts: CreateOptions) => createBuild(ctx, opts));
}

export async function createBuild(ctx: Context, opts: CreateOptions): Promise<void> {
  if ((opts.sourceUrl === undefined) === (opts.dir === undefined)) throw new CliError('give one of --source-url URL or --dir DIR');
  if (opts.dir !== undefined && opts.checksum !== undefined) throw new CliError('--checksum goes with --source-url (an upload is checked by the API)');
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  let url = opts.sourceUrl;
  if (opts.dir !== undefined) {
    const dir = resolve(ctx.cwd, opts.dir);
    const files = await sourceFiles(dir);
    const tarball = await packSource(dir, files);
    const source = await client.request<{ source_blob: { get_url: string; put_url: string } }>('POST', `/apps/${encodeURIComponent(app)}/sources`);
    const upload = () => client.raw('PUT', source.source_blob.put_url, tarball, 'application/gzip');
    if (opts.json) await upload();
    else await ctx.step(`Uploading ${files.length} files (${Math.ceil(tarball.length / 1024)} KB) to ${app}`, upload);
    url = source.source_blob.get_url;
  }
  const body = { source_blob: { url, ...(opts.version !== undefined ? { version: opts.version } : {}), ...(opts.checksum !== undefined ? { checksum: opts.checksum } : {}) } };
  const created = await client.request<CreatedBuild>('POST', `/apps/${encodeURIComponent(app)}/builds`, body);
  const stream = await client.raw('GET', created.output_stream_url);
  const decoder = new TextDecoder();
  if (stream.body) {
    for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk, { stream: true });
      if (!opts.json) ctx.io.stdout.write(text);
    }
  }
  const final = await client.request<Build>('GET', `/apps/${encodeURIComponent(app)}/builds/${created.id}`);
  if (opts.json) ctx.printJson(final);
  if (final.status !== 'succeeded') throw new CliError(`the build ${final.status === 'failed' ? 'failed' : `is ${final.status}`}${final.error ? `: ${final.error}` : ''}`);
  if (final.release === null) throw new CliError('the build succeeded but its release was refused (see the output above)');
}
