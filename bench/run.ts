/**
 * npm run bench: runs every benchmark and writes BENCHMARKS.md with the machine and the date.
 * `npm run bench -- push` or `-- router` runs one.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const benches: Record<string, () => Promise<string>> = {
  push: async () => (await import('./push.js')).benchPush(),
  router: async () => (await import('./router.js')).benchRouter(),
  placement: async () => (await import('./placement.js')).benchPlacement(),
  api: async () => (await import('./api.js')).benchApi(),
  scheduler: async () => (await import('./scheduler.js')).benchScheduler(),
  logs: async () => (await import('./logs.js')).benchLogs(),
  faults: async () => (await import('./faults.js')).benchFaults(),
  addons: async () => (await import('./addons.js')).benchAddons(),
  isolation: async () => (await import('./isolation.js')).benchIsolation(),
  'release-phase': async () => (await import('./release-phase.js')).benchReleasePhase(),
  neighbours: async () => (await import('./neighbours.js')).benchNeighbours(),
  stacks: async () => (await import('./stacks.js')).benchStacks(),
  console: async () => (await import('./console.js')).benchConsole(),
  webhooks: async () => (await import('./webhooks.js')).benchWebhooks(),
  runtimes: async () => (await import('./runtimes.js')).benchRuntimes(),
  'image-distribution': async () => (await import('./image-distribution.js')).benchImageDistribution(),
  provision: async () => (await import('./provision.js')).benchProvision(),
  sbom: async () => (await import('./sbom.js')).benchSbom(),
};

const only = process.argv.slice(2);
const names = Object.keys(benches).filter((n) => only.length === 0 || only.includes(n));
const sections: string[] = [];
for (const name of names) {
  console.error(`running ${name} benchmark...`);
  const section = await benches[name]!();
  console.log(section);
  sections.push(section);
}

const docker = (() => {
  try {
    return execFileSync('docker', ['version', '--format', '{{.Server.Version}}']).toString().trim();
  } catch {
    return 'unknown';
  }
})();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.version}, Docker engine ${docker}`;
const file = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
const header = `# Benchmarks\n\nProduced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.\n\n`;
if (only.length === 0) {
  await writeFile(file, header + sections.join('\n'));
} else {
  // Replace just the sections that ran, keep the others.
  let text = await readFile(file, 'utf8').catch(() => header);
  text = text.replace(/^Produced by .*$/m, header.split('\n')[2]!);
  for (const section of sections) {
    const title = section.split('\n')[0]!;
    const start = text.indexOf(title);
    if (start < 0) text += `\n${section}`;
    else {
      const next = text.indexOf('\n## ', start + title.length);
      text = text.slice(0, start) + section + (next < 0 ? '' : text.slice(next + 1));
    }
  }
  await writeFile(file, text);
}
console.error(`wrote ${file}`);
