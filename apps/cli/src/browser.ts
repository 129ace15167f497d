import { spawn } from 'node:child_process';

/** The program that opens URLs on this system (`BROWSER` overrides it). */
export function browserCommand(browser: string | undefined, platform: NodeJS.Platform = process.platform): { file: string; args: string[] } {
  if (browser !== undefined) return { file: browser, args: [] };
  if (platform === 'darwin') return { file: 'open', args: [] };
  if (platform === 'win32') return { file: 'explorer.exe', args: [] };
  return { file: 'xdg-open', args: [] };
}

/** Starts the browser on `url` (an argument, never through a shell) and resolves once it has started. */
export function openInBrowser(url: string, browser: string | undefined): Promise<void> {
  const { file, args } = browserCommand(browser);
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args, url], { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
