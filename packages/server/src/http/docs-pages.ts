// The server's own documentation pages: plain HTML and one stylesheet, readable without JavaScript.

import { FAVICON_LINK } from './favicon.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A `<pre><code>` block; the text is escaped here. */
export function codeBlock(text: string, label?: string): string {
  const aria = label ? ` aria-label="${escapeHtml(label)}"` : '';
  return `<pre${aria}><code>${escapeHtml(text)}</code></pre>`;
}

export type DocsTab = 'start' | 'rest' | 'realtime';

const TABS: [DocsTab, string, string][] = [
  ['start', '/docs', 'Getting started'],
  ['rest', '/docs/rest', 'REST reference'],
  ['realtime', '/docs/realtime', 'Realtime reference'],
];

/** A whole page: `body` is trusted HTML (callers escape what they put in it); `scripts` are this server's own. */
export function layout(title: string, tab: DocsTab, body: string, scripts: string[] = []): string {
  const nav = TABS.map(([id, href, label]) => `<a href="${href}"${id === tab ? ' aria-current="page"' : ''}>${label}</a>`).join('\n      ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>${escapeHtml(title)}</title>
  ${FAVICON_LINK}
  <link rel="stylesheet" href="/docs/docs.css">
${scripts.map((src) => `  <script src="${src}"></script>\n`).join('')}</head>
<body>
  <header>
    <nav aria-label="Documentation">
      <strong>Confab</strong>
      ${nav}
    </nav>
  </header>
  <main>
${body}
  </main>
</body>
</html>
`;
}

export const DOCS_CSS = `:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --panel: #f6f8fa; --line: #d1d9e0;
  --link: #0969da; --accent: #8250df; --in: #1a7f37; --out: #9a6700; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #161b22; --line: #30363d; --link: #4493f8; --accent: #ab7df8;
    --in: #3fb950; --out: #d29922; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { border-bottom: 1px solid var(--line); background: var(--panel); }
nav { max-width: 72rem; margin: 0 auto; padding: 0.75rem 1rem; display: flex; gap: 1.25rem; flex-wrap: wrap; align-items: baseline; }
nav strong { font-size: 1.1rem; margin-right: 0.5rem; }
nav a[aria-current] { font-weight: 600; color: var(--fg); text-decoration: underline 2px var(--accent); text-underline-offset: 0.35em; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
.narrow { max-width: 52rem; }
a { color: var(--link); }
h1 { font-size: 2rem; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.4rem; margin: 2.25rem 0 0.5rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.75rem 0 0.4rem; }
h3 code { font-size: 1rem; }
.lead { font-size: 1.1rem; color: var(--muted); margin-top: 0; }
code { font: 0.875em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel);
  padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem; overflow-x: auto;
  line-height: 1.45; }
pre code { background: none; padding: 0; font-size: 0.85rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-weight: 600; }
td code { white-space: nowrap; }
td.type code { white-space: normal; }
table.fields th.name { width: 18%; }
table.fields th.req { width: 8%; }
table.fields th.notes { width: 34%; }
table.events td:first-child { width: 11rem; }
.scroll { overflow-x: auto; }
@media (max-width: 40rem) {
  table.events { min-width: 40rem; }
  table.events td:first-child { width: auto; }
  nav { gap: 0.75rem; }
}
h4 { margin: 1rem 0 0.25rem; font-size: 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0.75rem; margin: 1rem 0; padding: 0;
  list-style: none; }
.cards li { border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem; background: var(--panel); }
.cards a { font-weight: 600; }
.cards p { margin: 0.25rem 0 0; color: var(--muted); font-size: 0.92rem; }
.dir { font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
.dir.in { color: var(--in); }
.dir.out { color: var(--out); }
.muted { color: var(--muted); }
.event { border-top: 1px solid var(--line); padding-top: 0.25rem; }
.errors code { margin-right: 0.25rem; }
.errors a { white-space: nowrap; font-size: 0.85rem; }
details { margin: 0.5rem 0; }
summary { cursor: pointer; color: var(--muted); }
ol.steps > li { margin-bottom: 1.25rem; }
`;

export interface StartPageValues {
  /** The server's origin as clients reach it (PUBLIC_URL, or the request's own). */
  origin: string;
  /** The app id the snippets use (`?app=`), or a placeholder. */
  app: string;
  version: string;
  demo: boolean;
}

/** `/docs`: what Confab is and the few steps from nothing to a working chat; every value is escaped. */
export function startPage({ origin, app, version, demo }: StartPageValues): string {
  const widget = `<script type="module" src="${origin}/widget.js"></script>
<chat-widget app="${app}" title="Talk to us"></chat-widget>`;
  const sign = `// On your backend only: the app secret never reaches a page.
import jwt from 'jsonwebtoken';

const claims = { name: user.name, email: user.email, role: 'user' }; // role: user, agent or admin
const token = jwt.sign(claims, process.env.CONFAB_APP_SECRET, {
  algorithm: 'HS256',
  subject: user.id,   // your user id: the same Confab user every time
  audience: '${app}', // the app id
  expiresIn: 10 * 60, // at most 24 hours
});`;
  const hand = `<!-- a page rendered for a signed-in user -->
<chat-widget app="${app}" user-token="TOKEN_FROM_YOUR_BACKEND"></chat-widget>

<!-- or after a sign-in that happens on the page -->
<script type="module">
  const { token } = await (await fetch('/confab-token')).json();
  await document.querySelector('chat-widget').identify(token);
</script>`;
  const exchange = `curl -X POST ${origin}/v1/auth/exchange \\
  -H 'X-Confab-App: ${app}' -H 'Content-Type: application/json' \\
  -d '{"token":"TOKEN_FROM_YOUR_BACKEND"}'`;
  const sdk = `import { createClient } from '@confab/sdk';

const client = createClient({ url: '${origin}', app: '${app}' });
await client.connectGuest({ name: 'Ana' }); // or connectUser(() => fetchTokenFromBackend())
const room = await client.room(roomId).watch();
room.state.subscribe((s) => render(s.messages));
room.on('message:created', (m) => console.log(m.seq, m.text));
await room.send('Hello!');`;
  const guest = `curl -X POST ${origin}/v1/auth/guest \\
  -H 'X-Confab-App: ${app}' -H 'Content-Type: application/json' -d '{"name":"Ana"}'`;
  const create = `node packages/server/dist/cli.js apps:create \\
  --name "My site" --origin https://www.example.com`;
  const demoNote = demo
    ? `<p>Demo mode is on: <a href="/">the demo page</a> has the widget, <a href="/inbox">the inbox</a> answers as an agent,
      and app <code>demo</code> works in every snippet (<a href="/docs?app=demo">show them for it</a>).</p>`
    : '';
  return layout(
    'Confab: getting started',
    'start',
    `    <div class="narrow">
    <h1>Getting started</h1>
    <p class="lead">Confab is a self-hosted chat platform: a REST API and realtime events over Socket.IO, a typed SDK, and web
    components for a site's support chat (<code>&lt;chat-widget&gt;</code>) and its agents' inbox (<code>&lt;chat-inbox&gt;</code>).</p>
    <p>This server: <code>${escapeHtml(origin)}</code>, version ${escapeHtml(version)}.
    The snippets below use app <code>${escapeHtml(app)}</code>; add <code>?app=YOUR_APP_ID</code> to this page's address
    to fill in yours.</p>
    ${demoNote}
    <ul class="cards">
      <li><a href="/docs/rest">REST reference</a><p>Every route, its input and answer
        (<a href="/v1/openapi.json">openapi.json</a>).</p></li>
      <li><a href="/docs/realtime">Realtime reference</a><p>Socket.IO events, acks, errors and delivery rules
        (<a href="/v1/asyncapi.json">asyncapi.json</a>).</p></li>
      <li><a href="/healthz">Operations</a><p><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> ·
        <a href="/metrics">/metrics</a></p></li>
    </ul>

    <h2>1. Create an app</h2>
    <p>An app is one site (a tenant): its own users, rooms and secret, and the origins allowed to embed it.
    Run on the server (it prints the app id and secret):</p>
    ${codeBlock(create)}

    <h2>2. Embed the widget</h2>
    <p>Two tags on any page of an allowed origin. Visitors write to your support team; agents answer in <code>&lt;chat-inbox&gt;</code>.</p>
    ${codeBlock(widget, 'Widget embed')}
    <p class="muted">Other attributes: <code>room</code>, <code>mode="inline"</code>, <code>position</code>, <code>theme</code>,
    <code>lang</code>, <code>require-name</code>, <code>require-email</code> (see the widget's README).</p>

    <h2>3. Sign your users in</h2>
    <p>Without this, visitors are anonymous guests. To have the chat know who your signed-in users are, your backend signs a short-lived
    token with the <strong>app secret</strong> (HS256, <code>aud</code> = app id, <code>sub</code> = your user id, optional
    <code>name</code>, <code>lastName</code>, <code>email</code>, <code>avatarUrl</code>, <code>role</code>: <code>user</code>,
    <code>agent</code> or <code>admin</code>):</p>
    ${codeBlock(sign, 'Signing a host token')}
    <p>Hand it to the widget, which exchanges it for a Confab session (a guest's conversation comes along):</p>
    ${codeBlock(hand, 'Handing the token to the widget')}
    <p>Or exchange it yourself for a session (<code>accessToken</code>, <code>refreshToken</code>):</p>
    ${codeBlock(exchange, 'Exchanging a host token')}

    <h2>4. Or build your own client with the SDK</h2>
    <p><code>npm i @confab/sdk</code>: sign-in, rooms with live state, optimistic sends queued while offline, reconnection with
    catch-up. It works in browsers and Node. From a checkout, before the packages are on the registry: <code>npm run pack</code>,
    then <code>npm i ./dist-packages/confab-protocol-${escapeHtml(version)}.tgz
    ./dist-packages/confab-sdk-${escapeHtml(version)}.tgz</code>.</p>
    ${codeBlock(sdk, 'SDK example')}

    <h2>5. Or call the API directly</h2>
    <p>A guest session in one call, then <code>Authorization: Bearer &lt;accessToken&gt;</code> on REST and
    <code>auth: { token }</code> on the socket:</p>
    ${codeBlock(guest, 'Guest session with curl')}
    </div>`,
    // Old Swagger UI deep links (/docs#/…) move on to /docs/rest.
    ['/docs/legacy-links.js'],
  );
}
