// @ts-check
// The page's only script (the CSP allows no inline script). It signs in without a reload and then
// tells the chat widget who the visitor is with widget.identify(token).

// The host user the widget was last signed in as: when the page later renders signed out (logout
// in another tab, expired session), the widget's stored session must not outlive the site's.
const CHAT_USER_KEY = 'acme:chat-user';

// The shop page has all of these; the support page only the logout form.
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @typedef {HTMLElement & { identify(token: string): Promise<void>, logout(): Promise<void> }} ChatWidget */
/** @type {ChatWidget | null} */
const chatWidget = document.querySelector('chat-widget');

/** The widget once its element is defined (widget.js comes from another origin), or null on pages without it. */
async function widget() {
  if (chatWidget) await customElements.whenDefined('chat-widget');
  return chatWidget;
}

/** @param {{ id: string, name: string, lastName: string } | null} user */
function show(user) {
  document.body.dataset.userId = user?.id ?? '';
  $('signed-out').hidden = !!user;
  $('signed-in').hidden = !user;
  $('user-name').textContent = user ? `${user.name} ${user.lastName}` : '';
}

/** @param {string} text @param {'identified' | 'guest' | 'error'} state */
function chatState(text, state) {
  $('chat-status').textContent = text;
  document.body.dataset.chat = state;
}

async function identify() {
  const res = await fetch('/confab-token', { headers: { accept: 'application/json' } });
  if (res.status === 401) {
    show(null);
    return;
  }
  if (!res.ok) throw new Error(`confab-token: ${res.status}`);
  const { token } = await res.json();
  await (await widget())?.identify(token);
  localStorage.setItem(CHAT_USER_KEY, document.body.dataset.userId ?? '');
  chatState('The chat knows who you are: support sees your name and account.', 'identified');
}

document.getElementById('login')?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.target);
  const res = await fetch('/login', {
    method: 'POST',
    headers: { accept: 'application/json' },
    body: new URLSearchParams(/** @type {any} */ (new FormData(form))),
  });
  $('login-error').hidden = res.ok;
  if (!res.ok) return;
  form.reset();
  const { user } = await res.json();
  if (user.role === 'agent') {
    location.assign('/support');
    return;
  }
  show(user);
  await identify().catch((err) => chatState(`The chat could not sign you in (${err.message}).`, 'error'));
});

$('logout').addEventListener('submit', async (event) => {
  event.preventDefault();
  // End the chat session first: on a shared computer the next visitor must not see this one's chat.
  await (await widget())?.logout().catch(() => undefined);
  localStorage.removeItem(CHAT_USER_KEY);
  await fetch('/logout', { method: 'POST', headers: { accept: 'application/json' } });
  if (!chatWidget) {
    location.assign('/');
    return;
  }
  show(null);
  chatState('', 'guest');
});

// A rendered `user-token` lives 10 minutes; if the visitor opens the chat later, fetch a new one.
document.addEventListener('chat-error', (event) => {
  const code = /** @type {CustomEvent<{ code: string }>} */ (event).detail?.code;
  if (chatWidget && code === 'token_expired' && document.body.dataset.userId) identify().catch(() => undefined);
});

async function boot() {
  if (!chatWidget) return;
  const userId = document.body.dataset.userId;
  const chatUser = localStorage.getItem(CHAT_USER_KEY);
  if (userId) {
    // Rendered with user-token: the widget signs in as this user by itself.
    localStorage.setItem(CHAT_USER_KEY, userId);
    chatState('The chat knows who you are: support sees your name and account.', 'identified');
  } else if (chatUser !== null) {
    await (await widget())?.logout().catch(() => undefined);
    localStorage.removeItem(CHAT_USER_KEY);
    chatState('', 'guest');
  } else {
    chatState('', 'guest');
  }
}

void boot();
