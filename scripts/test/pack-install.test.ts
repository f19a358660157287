import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a user of the published packages gets: tarballs installed from files into a project that
// knows nothing of this workspace, their dependencies from the npm registry.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const run = promisify(execFile);
const PACKAGES = ['protocol', 'sdk', 'widget', 'server'];

/** The environment of a shell outside this repository: no test runner, no server settings, no workspace. */
function outsideEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^(PATH|HOME|USER|LANG|TMPDIR|npm_config_(cache|registry|userconfig)|https?_proxy|no_proxy)$/i;
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => keep.test(name))), ...vars };
}

let work: string;
let app: string;
let server: ChildProcess | null = null;
let serverOut = '';
let url = '';

async function startInstalledServer(): Promise<string> {
  const env = outsideEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(work, 'data'), LOG_LEVEL: 'info' });
  // Its own process group: npx does not pass signals on to the server it runs, so the group gets them.
  const child = spawn('npx', ['--no', 'confab-server', 'start'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  server = child;
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (serverOut += chunk));
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`confab-server did not start:\n${serverOut}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`confab-server exited (${code}):\n${serverOut}`)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      serverOut += chunk;
      const listening = /Confab listening on (http:\/\/\S+)/.exec(serverOut);
      if (listening?.[1]) {
        clearTimeout(timer);
        resolveUrl(listening[1]);
      }
    });
  });
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // The group is already gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'confab-pack-'));
  app = join(work, 'app');
  mkdirSync(app);
  const packs = join(work, 'packs');
  await run(process.execPath, [join(root, 'scripts/pack.mjs'), '--out', packs], { cwd: root, env: outsideEnv() });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'confab-consumer', private: true, type: 'module' }));
  const tarballs = PACKAGES.map((name) => join(packs, `confab-${name}-0.1.0.tgz`));
  // lit too: the host app below is itself a Lit app, the case where a bundled-in copy would be loaded twice.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs, 'lit@3'], {
    cwd: app,
    env: outsideEnv(),
  });
  url = await startInstalledServer();
});

afterAll(async () => {
  await stopServer();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Runs in Node with no Node typings: the SDK's types must stand on the DOM and ES libs alone.
const client = (url: string) => `import type { MessageDto } from '@confab/protocol';
import { ChatError, createClient } from '@confab/sdk';

const url = '${url}';
const username = \`ana\${Date.now()}\`;
const password = 'packed-tarballs-install-fine-42';
const ana = createClient({ url, app: 'demo', transports: ['websocket'] });
await ana.register({ username, password, name: 'Ana' });
const created = await ana.rooms.create({ name: 'Packed' });
const room = await ana.room(created.id).watch();
const stored: MessageDto = await room.send('Olá from the tarballs');

// Read back by a second session of the same user, from the server's history.
const again = createClient({ url, app: 'demo', transports: ['websocket'] });
await again.login({ username, password });
const reread = await again.room(created.id).watch();
const texts: string[] = reread.state.get().messages.map((m) => m.text);
let refused = '';
try {
  await again.room('no-such-room').watch();
} catch (err) {
  if (err instanceof ChatError) refused = err.code;
}
await again.logout();
await ana.logout();
console.log(JSON.stringify({ seq: stored.seq, texts, refused }));
`;

const WIDGET = `import { ChatWidget, type ChatMessageEventDetail } from '@confab/widget';

const el = document.createElement('chat-widget');
const typed: ChatWidget = el;
typed.addEventListener('chat-message', (event) => {
  const detail: ChatMessageEventDetail = event.detail;
  console.log(detail.message.text);
});
export const registered = customElements.get('chat-widget') === ChatWidget;
`;

const HOST_APP = `import { html, LitElement } from 'lit';
import '@confab/widget';

customElements.define('host-app', class extends LitElement {
  render() {
    return html\`<chat-widget app="demo"></chat-widget>\`;
  }
});
`;

function tsconfig(name: string, options: Record<string, unknown>) {
  const compilerOptions = { strict: true, target: 'ES2022', lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: [], ...options };
  writeFileSync(join(app, name), JSON.stringify({ compilerOptions, files: ['client.ts', 'widget.ts'] }));
}

describe('the packed packages', () => {
  it('install from their tarballs as real folders with their licence, with every dependency resolved', async () => {
    for (const name of PACKAGES) {
      const dir = join(app, 'node_modules/@confab', name);
      expect(lstatSync(dir).isSymbolicLink(), name).toBe(false);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({ version: '0.1.0', license: 'MIT' });
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), name).toMatch(/^MIT License/);
    }
    // `npm ls` fails on a missing or mismatched dependency anywhere in the tree.
    await expect(run('npm', ['ls', '--all'], { cwd: app, env: outsideEnv() })).resolves.toBeDefined();
  });

  it('type-check strictly under moduleResolution bundler and node16, and the SDK chats with the installed server', async () => {
    writeFileSync(join(app, 'client.ts'), client(url));
    writeFileSync(join(app, 'widget.ts'), WIDGET);
    // One pass also checks the packages' own .d.ts files (skipLibCheck off); the other is the common setup.
    tsconfig('tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler', noEmit: true, skipLibCheck: false });
    tsconfig('tsconfig.node16.json', { module: 'node16', moduleResolution: 'node16', outDir: 'out', skipLibCheck: true });
    const checks = ['tsconfig.bundler.json', 'tsconfig.node16.json'].map((project) =>
      run(process.execPath, [tsc, '-p', project], { cwd: app }).then(
        () => [project, ''],
        (err: { stdout?: string }) => [project, err.stdout ?? String(err)],
      ),
    );
    expect(Object.fromEntries(await Promise.all(checks))).toEqual({ 'tsconfig.bundler.json': '', 'tsconfig.node16.json': '' });

    const { stdout } = await run(process.execPath, ['out/client.js'], { cwd: app, env: outsideEnv() });
    expect(JSON.parse(stdout)).toEqual({ seq: 1, texts: ['Olá from the tarballs'], refused: 'validation_failed' });
    // The installed server found the installed widget's build.
    const widget = await fetch(`${url}/widget.js`);
    expect(widget.status).toBe(200);
    expect(await widget.text()).toContain('chat-widget');
  });

  it('log JSON lines when stdout is not a terminal', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await expect.poll(() => serverOut).toContain('"route":"/healthz"');
    const entries = serverOut.split('\n').filter((line) => line.startsWith('{'));
    expect(entries.length).toBeGreaterThan(3);
    for (const line of entries) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(entries.map((line) => JSON.parse(line) as { msg?: string; route?: string })).toContainEqual(
      expect.objectContaining({ msg: 'request', method: 'GET', route: '/healthz', status: 200 }),
    );
  });

  it('mark every widget module that defines an element as having side effects', () => {
    const dir = join(app, 'node_modules/@confab/widget');
    const { sideEffects } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { sideEffects: string[] };
    const defining = (readdirSync(join(dir, 'dist/lib'), { recursive: true }) as string[])
      .filter((file) => extname(file) === '.js' && /\bdefine\(\s*['"][a-z]+-/.test(readFileSync(join(dir, 'dist/lib', file), 'utf8')))
      .map((file) => `./dist/lib/${file}`);
    expect(defining).toContain('./dist/lib/index.js');
    expect(sideEffects).toEqual(expect.arrayContaining(defining));
  });

  it('bundle with Vite into a page that defines <chat-widget> and loads Lit once', async () => {
    writeFileSync(join(app, 'main.js'), HOST_APP);
    writeFileSync(join(app, 'index.html'), '<!doctype html><host-app></host-app><script type="module" src="/main.js"></script>\n');
    const web = join(app, 'web');
    await build({ root: app, mode: 'production', configFile: false, logLevel: 'silent', build: { outDir: web, emptyOutDir: true } });
    const scripts = (readdirSync(web, { recursive: true }) as string[]).filter((file) => file.endsWith('.js'));
    const bundled = scripts.map((file) => readFileSync(join(web, file), 'utf8')).join('\n');
    // Each copy of Lit registers its version here: one registration means the widget did not bring its own.
    expect(bundled.match(/litHtmlVersions\s*\?\?=/g)).toHaveLength(1);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      await page.route('http://consumer.test/**', (route) => {
        const path = new URL(route.request().url()).pathname;
        return route.fulfill({ path: join(web, path === '/' ? 'index.html' : path) });
      });
      await page.goto('http://consumer.test/');
      const state = await page.waitForFunction(() => {
        const el = document.querySelector('host-app')?.shadowRoot?.querySelector('chat-widget');
        const versions = (window as { litHtmlVersions?: string[] }).litHtmlVersions;
        return customElements.get('chat-widget') && el?.shadowRoot?.childElementCount ? { versions: versions?.length ?? 0 } : null;
      });
      expect(await state.jsonValue()).toEqual({ versions: 1 });
    } finally {
      await browser.close();
    }
  });
});
