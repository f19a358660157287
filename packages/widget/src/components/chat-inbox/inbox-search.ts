import type { ChatClient, SupportSearchResultDto } from '@confab/sdk';
import { css, html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';

import type { I18n } from '../../i18n/index.js';
import { fullName, renderAvatar } from '../../lib/avatar.js';
import { asChatError } from '../../lib/chat-error.js';
import { visitorName } from './inbox-views.js';

/** Typing pauses this long before the search goes out. */
const DEBOUNCE_MS = 250;
/** Characters of a long message kept before its first match. */
const SNIPPET_LEAD = 40;

/**
 * The inbox's search: what the agent typed, the results (one per conversation, with the matching
 * message), paging, and `/` or Ctrl/Cmd+K to jump to the box.
 */
export class InboxSearch implements ReactiveController {
  query = '';
  results: readonly SupportSearchResultDto[] = [];
  cursor: string | undefined;
  loading = false;
  error = '';
  /** The query the results are for. */
  searched = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers of searches overtaken by newer typing are dropped. */
  private ticket = 0;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly client: () => ChatClient | null,
  ) {
    host.addController(this);
  }

  /** The search replaces the list while the box has text. */
  get active(): boolean {
    return this.query.trim().length > 0;
  }

  hostConnected(): void {
    document.addEventListener('keydown', this.onShortcut);
  }

  hostDisconnected(): void {
    document.removeEventListener('keydown', this.onShortcut);
    clearTimeout(this.timer);
  }

  input(value: string): void {
    this.query = value;
    clearTimeout(this.timer);
    if (!this.active) {
      this.clear();
      return;
    }
    this.loading = true;
    this.host.requestUpdate();
    this.timer = setTimeout(() => void this.run(false), DEBOUNCE_MS);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.ticket += 1;
    this.query = this.searched = this.error = '';
    this.results = [];
    this.cursor = undefined;
    this.loading = false;
    this.host.requestUpdate();
  }

  /** The next page of results. */
  more(): Promise<void> {
    return this.run(true);
  }

  private async run(more: boolean): Promise<void> {
    const client = this.client();
    const q = this.query.trim();
    if (!client || !q) return;
    const ticket = ++this.ticket;
    this.loading = true;
    this.error = '';
    this.host.requestUpdate();
    try {
      const page = await client.support.search({ q, cursor: more ? this.cursor : undefined });
      if (ticket !== this.ticket) return;
      this.results = more ? [...this.results, ...page.items] : page.items;
      this.cursor = page.nextCursor;
      this.searched = q;
    } catch (err) {
      if (ticket === this.ticket) this.error = asChatError(err).message;
    } finally {
      if (ticket === this.ticket) {
        this.loading = false;
        this.host.requestUpdate();
      }
    }
  }

  private readonly onShortcut = (e: KeyboardEvent): void => {
    const slash = e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey;
    const k = e.key.toLowerCase() === 'k' && (e.ctrlKey || e.metaKey);
    if (!slash && !k) return;
    const target = e.composedPath()[0] as HTMLElement | undefined;
    if (slash && target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const box = this.host.shadowRoot?.querySelector<HTMLInputElement>('.search input');
    if (!box) return;
    e.preventDefault();
    box.focus();
    box.select();
  };
}

const searchIcon = html`<svg class="search-icon" viewBox="0 0 16 16" aria-hidden="true">
  <circle cx="7" cy="7" r="4.75" />
  <path d="M10.5 10.5L14 14" />
</svg>`;

/** The search box above the tabs. */
export function renderSearchBox(i18n: I18n, search: InboxSearch) {
  const { t } = i18n;
  return html`<div class="search" role="search">
    <label>
      ${searchIcon}
      <span class="sr-only">${t('searchConversations')}</span>
      <input
        type="search"
        maxlength="200"
        autocomplete="off"
        placeholder=${t('searchPlaceholder')}
        .value=${search.query}
        @input=${(e: Event) => search.input((e.target as HTMLInputElement).value)}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Escape' && search.active) {
            e.stopPropagation();
            search.clear();
          }
        }}
      />
    </label>
    ${
      search.active
        ? html`<button class="btn icon clear" aria-label=${t('clearSearch')} @click=${() => search.clear()}>
            <svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" /></svg>
          </button>`
        : nothing
    }
  </div>`;
}

/** The results in the list's place: who, when, the matching text with the words marked. */
export function renderSearchResults(
  i18n: I18n,
  search: InboxSearch,
  currentId: string | null,
  open: (result: SupportSearchResultDto) => unknown,
) {
  const { t } = i18n;
  const count = search.results.length;
  const status = search.loading
    ? t('searching')
    : search.error
      ? t('errorGeneric', { message: search.error })
      : !count
        ? t('searchNoResults', { q: search.searched })
        : count === 1
          ? t('searchResultsOne')
          : t('searchResultsCount', { count: search.cursor ? `${count}+` : count });
  const words = wordsOf(search.searched);
  return html`<div class="conversations search-results" role="region" aria-label=${t('searchResults')}>
    <p class="search-status ${count && !search.loading ? 'sr-only' : ''}" role="status">${status}</p>
    <ul>
      ${search.results.map((r) => renderResult(i18n, r, words, r.conversation.id === currentId, () => open(r)))}
    </ul>
    ${
      search.cursor && !search.loading
        ? html`<button class="btn more" @click=${() => void search.more()}>${t('loadMore')}</button>`
        : nothing
    }
  </div>`;
}

function renderResult(i18n: I18n, r: SupportSearchResultDto, words: string[], current: boolean, onSelect: () => unknown) {
  const c = r.conversation;
  const visitor = c.visitor;
  const at = r.message?.createdAt ?? c.lastMessageAt;
  const who = [fullName(visitor), visitor?.email].filter(Boolean).join(' · ');
  return html`<li>
    <button class="item result" aria-current=${current ? 'true' : 'false'} data-id=${c.id} @click=${onSelect}>
      ${renderAvatar({ ...visitor, id: visitor?.id ?? c.id })}
      <span class="item-body">
        <span class="row">
          <span class="name">${r.message ? visitorName(i18n, c) : highlight(who || visitorName(i18n, c), words)}</span>
          ${at ? html`<time datetime=${at}>${i18n.day(at)}</time>` : nothing}
        </span>
        <span class="snippet"> ${r.message ? highlight(snippet(r.message.text, words), words) : i18n.t('searchVisitorMatch')} </span>
      </span>
    </button>
  </li>`;
}

/** The words of a query, as the server matches them (the last one also as a prefix). */
export function wordsOf(q: string): string[] {
  return q
    .split(/[\s'\\]+/u)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(Boolean);
}

/** A long text from a little before its first match, so the match shows in one or two lines. */
export function snippet(text: string, words: string[]): string {
  const lower = text.toLowerCase();
  const first = Math.min(...words.map((w) => lower.indexOf(w.toLowerCase())).filter((i) => i >= 0));
  if (!Number.isFinite(first) || first <= SNIPPET_LEAD) return text;
  const start = text.lastIndexOf(' ', first - SNIPPET_LEAD / 2);
  return `…${text.slice(start > 0 ? start + 1 : first - SNIPPET_LEAD / 2)}`;
}

/** The text with every occurrence of the words (whole or as a word's start) in `<mark>`. */
export function highlight(text: string, words: string[]): (string | TemplateResult)[] {
  if (!words.length) return [text];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length);
  const parts = text.split(new RegExp(`(${escaped.join('|')})`, 'giu'));
  return parts.map((part, i) => (i % 2 ? html`<mark>${part}</mark>` : part));
}

export const searchStyles = css`
  .search {
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 8px 10px;
    border-bottom: 1px solid var(--chat-border);
  }
  .search label {
    position: relative;
    flex: 1;
    min-width: 0;
    display: flex;
  }
  .search-icon {
    position: absolute;
    inset-inline-start: 10px;
    top: 50%;
    width: 15px;
    height: 15px;
    transform: translateY(-50%);
    fill: none;
    stroke: var(--chat-muted);
    stroke-width: 1.6;
    stroke-linecap: round;
    pointer-events: none;
  }
  .search input {
    flex: 1;
    min-width: 0;
    box-sizing: border-box;
    height: var(--inbox-control);
    padding: 0 10px 0 32px;
    border: 1px solid var(--inbox-line);
    border-radius: 999px;
    background: var(--chat-bg);
    color: var(--chat-fg);
    font: inherit;
    font-size: 14px;
  }
  .search input::placeholder {
    color: var(--chat-muted);
  }
  .search input:focus-visible {
    outline: 2px solid var(--chat-accent);
    outline-offset: 1px;
  }
  .search input::-webkit-search-cancel-button {
    display: none;
  }
  .search .clear svg {
    fill: none;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
  }
  .search-status {
    margin: 0;
    padding: 24px 16px;
    color: var(--chat-muted);
    text-align: center;
  }
  .snippet {
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 2;
    overflow: hidden;
    color: var(--chat-muted);
    font-size: 13px;
    line-height: 1.35;
    overflow-wrap: anywhere;
  }
  .result mark {
    padding: 0 1px;
    border-radius: 3px;
    background: color-mix(in srgb, #facc15 30%, var(--chat-bg));
    color: var(--chat-fg);
    font-weight: 600;
  }
`;
