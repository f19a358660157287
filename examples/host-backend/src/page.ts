import type { HostUser } from './users.js';

export interface PageInput {
  confabUrl: string;
  appId: string;
  /** The signed-in user, or null. */
  user: HostUser | null;
  /** A fresh Confab token for that user, rendered as `user-token`. */
  confabToken: string | null;
  loginFailed?: boolean;
}

/**
 * The policy the page runs under: no inline script or style anywhere; the only other origin is
 * the Confab server (widget.js and its chunks, the API, the socket, attachment images).
 */
export function contentSecurityPolicy(confabUrl: string): string {
  const socket = confabUrl.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    `script-src 'self' ${confabUrl}`,
    `connect-src 'self' ${confabUrl} ${socket}`,
    `img-src 'self' ${confabUrl}`,
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function shell(confabUrl: string, title: string, body: string, bodyAttrs = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <link rel="stylesheet" href="/static/page.css">
  <script type="module"${attr('src', `${confabUrl}/widget.js`)}></script>
  <script type="module" src="/static/page.js"></script>
</head>
<body${bodyAttrs}>
${body}
</body>
</html>
`;
}

const attr = (name: string, value: string) => ` ${name}="${escapeHtml(value)}"`;
const hidden = (yes: boolean) => (yes ? ' hidden' : '');
const fullName = (user: HostUser | null) => (user ? `${user.name} ${user.lastName}` : '');

/** The shop's page: sign-in, and the chat widget for customers (agents get a link to the inbox). */
export function renderPage({ confabUrl, appId, user, confabToken, loginFailed = false }: PageInput): string {
  const agent = user?.role === 'agent';
  const userToken = confabToken ? attr('user-token', confabToken) : '';
  const widget = agent
    ? ''
    : `<chat-widget${attr('app', appId)}${attr('server', confabUrl)} title="Acme Garden"${userToken}></chat-widget>`;
  const inboxLink = agent ? ' <a href="/support">Open the support inbox</a>.' : '';
  return shell(
    confabUrl,
    'Acme Garden',
    `  <main>
    <h1>Acme Garden</h1>
    <p>A host site with its own accounts. Signed-in customers talk to support as themselves:
    this site's backend signs a Confab token for them, and the chat widget uses it.</p>

    <section id="signed-out"${hidden(!!user)}>
      <h2>Sign in</h2>
      <p id="login-error" class="error" role="alert"${hidden(!loginFailed)}>Wrong username or password.</p>
      <form id="login" method="post" action="/login">
        <label>Username <input name="username" autocomplete="username" required></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">Customers: <code>alice</code> / <code>wonderland</code>, <code>bob</code> / <code>can-we-fix-it</code>.
      Support agent: <code>carol</code> / <code>answers-first</code>.</p>
    </section>

    <section id="signed-in"${hidden(!user)}>
      <p>Signed in as <strong id="user-name">${escapeHtml(fullName(user))}</strong>.${inboxLink}</p>
      <form id="logout" method="post" action="/logout"><button type="submit">Sign out</button></form>
    </section>

    <p id="chat-status" aria-live="polite"></p>
  </main>
  ${widget}`,
    attr('data-user-id', user?.id ?? ''),
  );
}

/** The agents' page: `<chat-inbox>` signed in with the agent's token, no Confab password needed. */
export function renderSupport({ confabUrl, appId, user, confabToken }: PageInput & { user: HostUser; confabToken: string }): string {
  return shell(
    confabUrl,
    'Acme Garden support',
    `  <header class="bar">
    <strong>Acme Garden support</strong>
    <span>${escapeHtml(fullName(user))}</span>
    <a href="/">Shop</a>
    <form id="logout" method="post" action="/logout"><button type="submit">Sign out</button></form>
  </header>
  <chat-inbox${attr('app', appId)}${attr('server', confabUrl)}${attr('user-token', confabToken)}></chat-inbox>`,
    `${attr('data-user-id', user.id)} class="support"`,
  );
}
