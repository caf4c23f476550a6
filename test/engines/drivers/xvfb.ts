/**
 * A virtual display for browsers that need one (WebKitGTK's MiniBrowser has no headless mode).
 * `-displayfd` lets Xvfb pick a free display number, so runs side by side cannot collide.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { findExecutable } from './common.js';

/** A display to use: `$DISPLAY` when set, else a fresh Xvfb. */
export interface Display {
  display: string;
  /** Stops the Xvfb this module started (nothing when `$DISPLAY` was used). */
  stop(): void;
}

/** Where Xvfb is looked for. */
export const XVFB_PATHS = ['/usr/bin/Xvfb'] as const;

/** Returns a display, or a reason there is none. */
export async function startDisplay(): Promise<Display | { missing: string }> {
  const existing = process.env.DISPLAY?.trim();
  if (existing) return { display: existing, stop: () => undefined };
  const found = findExecutable('SLUICE_XVFB', XVFB_PATHS);
  if ('missing' in found) return { missing: `no $DISPLAY and Xvfb ${found.missing}; install it: apt-get install -y xvfb` };
  const child: ChildProcess = spawn(found.path, ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not report a display within 15 s: ${stderr}`)), 15_000);
    child.stdio[3]?.on('data', (data: Buffer) => {
      out += data.toString('utf8');
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with ${code}: ${stderr}`));
    });
  });
  return { display, stop: () => void child.kill('SIGTERM') };
}
