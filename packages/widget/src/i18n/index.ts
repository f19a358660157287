import type { ConversationStrings } from './conversation/en.js';
import { type CoreStrings, en } from './en.js';
import { es } from './es.js';
import type { InboxStrings } from './inbox/en.js';
import type { ModerationStrings } from './moderation/en.js';
import { ptBR } from './pt-BR.js';

export type Locale = 'en' | 'pt-BR' | 'es';
export type { ConversationStrings, CoreStrings, InboxStrings, ModerationStrings };
/**
 * Every key `t()` takes. Only the core (the launcher and the panel's shell) is in widget.js; the
 * conversation's and the inbox's strings come with their chunks, which register them.
 */
export type Strings = CoreStrings & ConversationStrings & InboxStrings & ModerationStrings;
/** A part of the strings, in every locale. */
export type StringPart<S extends Partial<Strings>> = Record<Locale, S>;

// Copies: registering a part adds to these, never to the modules' own objects.
const DICTIONARIES: Record<Locale, Partial<Strings>> = { en: { ...en }, 'pt-BR': { ...ptBR }, es: { ...es } };

/**
 * Adds a part of the strings (`CONVERSATION_STRINGS`, `INBOX_STRINGS`), for every locale at once:
 * the lazy modules call it before they define the elements that show them. `i18n()` instances
 * made earlier see the new strings too.
 */
export function registerStrings(part: StringPart<Partial<Strings>>): void {
  for (const locale of Object.keys(DICTIONARIES) as Locale[]) Object.assign(DICTIONARIES[locale], part[locale]);
}

/**
 * The supported locale closest to `lang` (the attribute), else to the browser's languages:
 * `pt`, `pt-PT` and `pt-BR` give `pt-BR`, any `es-*` gives `es`, anything else English.
 */
export function resolveLocale(lang: string | null | undefined, preferred: readonly string[] = browserLanguages()): Locale {
  for (const candidate of [lang, ...preferred]) {
    const base = candidate?.trim().toLowerCase().split(/[-_]/)[0];
    if (base === 'pt') return 'pt-BR';
    if (base === 'es') return 'es';
    if (base === 'en') return 'en';
  }
  return 'en';
}

function browserLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
}

export interface I18n {
  locale: Locale;
  /** The string `key` with `{placeholders}` filled in. */
  t(key: keyof Strings, vars?: Record<string, string | number>): string;
  /** `14:05` / `2:05 PM`. */
  time(iso: string): string;
  /** Today, Yesterday, or the date, for day separators. */
  day(iso: string, now?: Date): string;
  /** Date and time, for details. */
  dateTime(iso: string): string;
}

const cache = new Map<Locale, I18n>();

export function i18n(locale: Locale): I18n {
  let found = cache.get(locale);
  if (!found) cache.set(locale, (found = create(locale)));
  return found;
}

function create(locale: Locale): I18n {
  const strings = DICTIONARIES[locale];
  const time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const date = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long' });
  const dateWithYear = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase(locale) + s.slice(1);
  return {
    locale,
    t(key, vars) {
      // A key whose part is not registered yet gives English, else the key itself: never a throw.
      const text = strings[key] ?? DICTIONARIES.en[key] ?? key;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
    },
    time: (iso) => time.format(new Date(iso)),
    day(iso, now = new Date()) {
      const when = new Date(iso);
      const days = Math.round((startOfDay(when) - startOfDay(now)) / 86_400_000);
      if (days === 0 || days === -1) return capitalize(relative.format(days, 'day'));
      return capitalize((when.getFullYear() === now.getFullYear() ? date : dateWithYear).format(when));
    },
    dateTime: (iso) => dateTime.format(new Date(iso)),
  };
}

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}
