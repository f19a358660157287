// A dependency-free static file server for the examples: it renders each page with the Confab
// server's URL and app id, and sends every response under a strict CSP that allows that server.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} ExampleConfig
 * @property {string} confabUrl the Confab server, without a trailing slash
 * @property {string} app the app id
 */

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The policy a careful site owner would send: no inline script or style anywhere, scripts from
 * this site and the Confab server, connections (HTTP and WebSocket) to the Confab server only,
 * images (attachments) from it too.
 * @param {string} confabUrl
 */
export function contentSecurityPolicy(confabUrl) {
  const { origin, protocol, host } = new URL(confabUrl);
  const socket = `${protocol === 'https:' ? 'wss' : 'ws'}://${host}`;
  return [
    "default-src 'self'",
    `script-src 'self' ${origin}`,
    `connect-src ${origin} ${socket}`,
    "style-src 'self'",
    `img-src 'self' ${origin} data:`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** @param {string} text */
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Fills the `{{CONFAB_URL}}` and `{{CONFAB_APP}}` placeholders of a page (escaped, as they land
 * in attributes).
 * @param {string} html
 * @param {ExampleConfig} config
 */
export function renderPage(html, config) {
  return html.replaceAll('{{CONFAB_URL}}', escapeHtml(config.confabUrl)).replaceAll('{{CONFAB_APP}}', escapeHtml(config.app));
}

/**
 * An HTTP server (not yet listening) for the files under `root`; `/` and folders mean their
 * `index.html`. Files are read on every request, so edits show on reload.
 * @param {string | URL} root
 * @param {ExampleConfig} config
 */
export function createStaticServer(root, config) {
  const dir = resolve(typeof root === 'string' ? root : fileURLToPath(root));
  const csp = contentSecurityPolicy(config.confabUrl);
  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  const serve = async (req, res) => {
    const headers = { 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' };
    /** @param {number} status @param {string} text */
    const fail = (status, text) => res.writeHead(status, { ...headers, 'content-type': TYPES['.txt'] }).end(text);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'Method not allowed\n');
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return fail(400, 'Bad request\n');
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(dir, `.${path}`);
    // `..` segments and encoded separators must not reach files outside the served folder.
    if (!file.startsWith(dir + sep)) return fail(404, 'Not found\n');
    let body;
    try {
      body = await readFile(file);
    } catch {
      return fail(404, 'Not found\n');
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    if (type === TYPES['.html']) body = Buffer.from(renderPage(body.toString('utf8'), config));
    res.writeHead(200, { ...headers, 'content-type': type, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  return createServer((req, res) => {
    // A failure while answering (a page that cannot be rendered, say) ends this response, not the process.
    serve(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': TYPES['.txt'] }).end('Internal error\n');
    });
  });
}

/**
 * Reads PORT, CONFAB_URL and CONFAB_APP, refusing a bad value with one readable line.
 * @param {NodeJS.ProcessEnv} env
 * @param {number} defaultPort
 * @returns {ExampleConfig & { port: number }}
 */
export function readConfig(env, defaultPort) {
  const port = env.PORT === undefined || env.PORT === '' ? defaultPort : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (0-65535), got "${env.PORT}"`);
  const rawUrl = env.CONFAB_URL || 'http://localhost:3000';
  let url;
  try {
    url = new URL(rawUrl);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`CONFAB_URL must be an http(s) URL such as http://localhost:3000, got "${rawUrl}"`);
  }
  const app = env.CONFAB_APP || 'demo';
  return { port, confabUrl: url.href.replace(/\/+$/, ''), app };
}

/**
 * What `npm start` runs: serves `root` on PORT (default `defaultPort`) for the Confab server at
 * CONFAB_URL and app CONFAB_APP, and prints the page's URL.
 * @param {string | URL} root
 * @param {{ defaultPort: number, name: string }} options
 * @returns {Promise<import('node:http').Server>}
 */
export async function serveFromEnv(root, { defaultPort, name }) {
  let config;
  try {
    config = readConfig(process.env, defaultPort);
  } catch (err) {
    console.error(/** @type {Error} */ (err).message);
    process.exit(1);
  }
  const server = createStaticServer(root, config);
  await new Promise((done, fail) => server.once('error', fail).listen(config.port, () => done(undefined))).catch((err) => {
    console.error(`Cannot listen on port ${config.port}: ${err.code ?? err.message} (set PORT to another port)`);
    process.exit(1);
  });
  // Ctrl-C or a process manager's SIGTERM is the normal way to stop: exit cleanly, not as a crash.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.once(signal, () => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
  }
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`${name}: http://localhost:${address.port}/ (Confab server ${config.confabUrl}, app ${config.app})`);
  return server;
}
