import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { Page } from 'playwright-core';

import { violations } from '../../../../packages/widget/test/helpers/browser.js';

export interface RunningExample {
  /** The page's origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs an example's `serve.mjs` exactly as `npm start` does (a separate Node process, config from
 * the environment) on an ephemeral port, and resolves once it prints the address it listens on.
 */
export function startExample(exampleDir: URL, env: { CONFAB_URL: string; CONFAB_APP: string }): Promise<RunningExample> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('serve.mjs', exampleDir))], {
    cwd: fileURLToPath(exampleDir),
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const port = /http:\/\/localhost:(\d+)\//.exec(stdout)?.[1];
      if (port) resolve({ url: `http://127.0.0.1:${port}`, stop });
    });
    child.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}) before listening: ${stderr || stdout}`)));
  });
}

/**
 * Collects what would show that the page's policy got in the way: `securitypolicyviolation`
 * events (recorded from the first script on), CSP console errors and page errors.
 */
export async function watchForProblems(page: Page): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return async () => [...problems, ...(await violations(page))];
}
