import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { CONVERSATION_STRINGS } from './conversation/index.js';
import { en } from './en.js';
import { es } from './es.js';
import { INBOX_STRINGS } from './inbox/index.js';
import { i18n, type Locale, registerStrings, resolveLocale, type StringPart, type Strings } from './index.js';
import { MODERATION_STRINGS } from './moderation/index.js';
import { ptBR } from './pt-BR.js';

// What the lazy chunks do before they render: the tests below read every part.
registerStrings(CONVERSATION_STRINGS);
registerStrings(INBOX_STRINGS);
registerStrings(MODERATION_STRINGS);

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const PARTS: Record<'core' | 'conversation' | 'inbox' | 'moderation', StringPart<Partial<Strings>>> = {
  core: { en, 'pt-BR': ptBR, es },
  conversation: CONVERSATION_STRINGS,
  inbox: INBOX_STRINGS,
  moderation: MODERATION_STRINGS,
};
const keysOf = (part: StringPart<Partial<Strings>>) => Object.keys(part.en).sort();
const ALL_KEYS = Object.values(PARTS).flatMap(keysOf);

describe('resolveLocale', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('lets the lang attribute win over the browser languages', () => {
    expect(resolveLocale('es', ['pt-BR', 'en'])).toBe('es');
    expect(resolveLocale('en', ['pt-BR', 'es'])).toBe('en');
    expect(resolveLocale('pt', ['es', 'en'])).toBe('pt-BR');
  });

  it.each(['pt', 'pt-PT', 'pt-BR', 'PT-br', 'pt_BR'])('maps %s to pt-BR', (lang) => {
    expect(resolveLocale(lang, [])).toBe('pt-BR');
  });

  it.each(['es', 'es-MX', 'es-ES', 'es-419', 'ES'])('maps %s to es', (lang) => {
    expect(resolveLocale(lang, [])).toBe('es');
  });

  it.each(['en', 'en-GB', 'en-US'])('maps %s to en', (lang) => {
    expect(resolveLocale(lang, ['es'])).toBe('en');
  });

  it('falls back to English for an unknown language and no browser preference', () => {
    expect(resolveLocale('fr', [])).toBe('en');
    expect(resolveLocale('zz-Unknown', [])).toBe('en');
    expect(resolveLocale(null, [])).toBe('en');
    expect(resolveLocale(undefined, [])).toBe('en');
  });

  it('uses the browser languages when the attribute is missing, empty or unsupported', () => {
    expect(resolveLocale(null, ['es-AR'])).toBe('es');
    expect(resolveLocale('', ['pt-PT'])).toBe('pt-BR');
    expect(resolveLocale('fr', ['es-MX'])).toBe('es');
  });

  it('takes the first supported browser language in preference order', () => {
    expect(resolveLocale(null, ['fr-FR', 'de', 'pt-PT', 'es'])).toBe('pt-BR');
    expect(resolveLocale(null, ['fr-FR', 'es', 'pt-BR'])).toBe('es');
    expect(resolveLocale(null, ['de', 'en-US', 'es'])).toBe('en');
    expect(resolveLocale(null, ['fr', 'it', 'de'])).toBe('en');
  });

  it('reads navigator.languages when no list is given', () => {
    vi.stubGlobal('navigator', { languages: ['de-DE', 'es-CO'], language: 'de-DE' });
    expect(resolveLocale(null)).toBe('es');
    vi.stubGlobal('navigator', { languages: ['pt-PT'], language: 'pt-PT' });
    expect(resolveLocale(undefined)).toBe('pt-BR');
  });

  it('falls back to navigator.language when the browser has no languages list', () => {
    vi.stubGlobal('navigator', { language: 'es-ES' });
    expect(resolveLocale(null)).toBe('es');
  });
});

describe.each(Object.entries(PARTS))('the %s strings', (_, part) => {
  const english = part.en as Record<string, string>;
  const keys = keysOf(part);
  const locales = (['pt-BR', 'es'] as const).map((locale) => [locale, part[locale] as Record<string, string>] as const);

  it('English has non-empty strings for every key', () => {
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(english[key]!.trim(), key).not.toBe('');
  });

  it.each(locales)('%s has exactly the keys of English', (_, strings) => {
    expect(Object.keys(strings).sort()).toEqual(keys);
  });

  it.each(locales)('%s has a non-empty string for every key', (_, strings) => {
    for (const key of keys) {
      expect(typeof strings[key], key).toBe('string');
      expect(strings[key]!.trim(), key).not.toBe('');
    }
  });

  it.each(locales)('%s uses the same {placeholders} as English in every string', (_, strings) => {
    for (const key of keys) expect(placeholders(strings[key]!), key).toEqual(placeholders(english[key]!));
  });
});

describe('the parts of the strings', () => {
  const SRC = fileURLToPath(new URL('..', import.meta.url));

  /** The modules `file` loads statically, itself included (type-only imports and `import()` aside). */
  function staticImports(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const [, spec] of code.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'(\.[^']+)'/gm)) {
      staticImports(resolve(dirname(file), spec!.replace(/\.js$/, '.ts')), seen);
    }
    return seen;
  }

  /**
   * The keys the modules loaded with `entry` (outside i18n/) name: a quoted key anywhere (in `t()`, a
   * ternary, a map such as REPLY_TIME) but a `case` label, and every key a t(`prefix${…}`) can build.
   * Over-counting only asks for a string to be loaded earlier than needed.
   */
  function keysUsedBy(entry: string): { file: string; key: string }[] {
    const used: { file: string; key: string }[] = [];
    for (const file of staticImports(resolve(SRC, entry))) {
      if (file.startsWith(resolve(SRC, 'i18n'))) continue;
      const code = readFileSync(file, 'utf8');
      const quoted = new Set([...code.matchAll(/(?<!\bcase\s+)'(\w+)'/g)].map((m) => m[1]));
      const prefixes = [...code.matchAll(/\bt\(\s*`(\w+)\$\{/g)].map((m) => m[1]!);
      for (const key of ALL_KEYS) {
        if (quoted.has(key) || prefixes.some((prefix) => key.startsWith(prefix))) used.push({ file: relative(SRC, file), key });
      }
    }
    return used;
  }

  it('puts no key in two parts', () => {
    expect(ALL_KEYS.filter((key, i) => ALL_KEYS.indexOf(key) !== i)).toEqual([]);
  });

  it('loads with widget.js exactly the keys its modules use (the launcher, the panel, the inbox placeholder)', () => {
    const eager = keysUsedBy('index.ts');
    expect(eager.map(({ file }) => file)).toContain('components/chat-widget/panel-header.ts');
    const core = keysOf(PARTS.core);
    expect(eager.filter(({ key }) => !core.includes(key))).toEqual([]);
    expect(core.filter((key) => !eager.some((use) => use.key === key))).toEqual([]);
  });

  it.each([
    ['components/conversation-elements.ts', ['core', 'conversation']],
    ['components/chat-widget/visitor-session.ts', ['core', 'conversation']],
    ['components/chat-inbox/inbox-app.ts', ['core', 'conversation', 'inbox']],
    ['components/room-moderation/room-moderation.ts', ['core', 'conversation', 'moderation']],
  ] as const)('has every key that %s uses registered by then', (entry, parts) => {
    const registered = parts.flatMap((name) => keysOf(PARTS[name]));
    expect(keysUsedBy(entry).filter(({ key }) => !registered.includes(key))).toEqual([]);
  });
});

describe('i18n().t', () => {
  it('fills every placeholder', () => {
    expect(i18n('en').t('uploading', { name: 'cat.png', percent: 42 })).toBe('Uploading cat.png: 42%');
    expect(i18n('pt-BR').t('systemAssignedBy', { actor: 'Ana', agent: 'Bia' })).toBe('Ana atribuiu a conversa a Bia');
    expect(i18n('es').t('unread', { count: 3 })).toBe('3 mensajes sin leer');
  });

  it('fills a placeholder that appears in the middle of a string', () => {
    expect(i18n('en').t('newMessageTitle', { count: 2 })).toBe('(2) New message');
  });

  it('returns strings without placeholders unchanged', () => {
    expect(i18n('en').t('send')).toBe('Send');
    expect(i18n('pt-BR').t('send')).toBe('Enviar');
    expect(i18n('es').t('cancel')).toBe('Cancelar');
  });

  it('leaves a placeholder it was given no value for as written', () => {
    expect(i18n('en').t('uploadFailed', { name: 'a.pdf' })).toBe('Could not upload a.pdf: {reason}');
  });

  it('inserts values literally (no $-pattern expansion, no recursive filling)', () => {
    expect(i18n('en').t('removeFile', { name: '$& $1 {name}' })).toBe('Remove $& $1 {name}');
  });

  it('returns the same instance per locale', () => {
    expect(i18n('es')).toBe(i18n('es'));
    expect(i18n('es').locale).toBe('es');
  });

  it('gives the key, never a throw, for a string whose part is not registered yet, and the string once it is', async () => {
    vi.resetModules();
    const fresh = await import('./index.js');
    const { t } = fresh.i18n('pt-BR');
    expect(t('openChat')).toBe('Abrir o chat');
    expect(t('send')).toBe('send');
    expect(t('labelRemove', { name: 'vip' })).toBe('labelRemove');
    fresh.registerStrings(CONVERSATION_STRINGS);
    expect(t('send')).toBe('Enviar');
    expect(t('labelRemove', { name: 'vip' })).toBe('labelRemove');
    fresh.registerStrings(INBOX_STRINGS);
    registerStrings(MODERATION_STRINGS);
    expect(t('labelRemove', { name: 'vip' })).toBe('Remover a etiqueta vip');
  });
});

describe('i18n().day', () => {
  const now = new Date(2024, 5, 15, 10, 30); // Sat 15 June 2024, local time
  const iso = (y: number, mo: number, d: number, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi).toISOString();

  it.each([
    ['en', 'Today', 'Yesterday'],
    ['pt-BR', 'Hoje', 'Ontem'],
    ['es', 'Hoy', 'Ayer'],
  ] as [Locale, string, string][])('in %s says %s and %s', (locale, today, yesterday) => {
    const { day } = i18n(locale);
    expect(day(iso(2024, 6, 15, 0, 1), now)).toBe(today);
    expect(day(iso(2024, 6, 15, 23, 59), now)).toBe(today);
    expect(day(iso(2024, 6, 14, 0, 1), now)).toBe(yesterday);
    expect(day(iso(2024, 6, 14, 23, 59), now)).toBe(yesterday);
  });

  it('gives the weekday and date for an older day of this year', () => {
    expect(i18n('en').day(iso(2024, 6, 10), now)).toBe('Monday, June 10');
    expect(i18n('pt-BR').day(iso(2024, 6, 10), now)).toBe('Segunda-feira, 10 de junho');
    expect(i18n('es').day(iso(2024, 6, 10), now)).toBe('Lunes, 10 de junio');
  });

  it('adds the year for a day of another year', () => {
    expect(i18n('en').day(iso(2023, 6, 10), now)).toBe('June 10, 2023');
    expect(i18n('es').day(iso(2023, 6, 10), now)).toBe('10 de junio de 2023');
  });

  it('does not call two days ago Yesterday, nor tomorrow Today', () => {
    const { day } = i18n('en');
    expect(day(iso(2024, 6, 13), now)).toBe('Thursday, June 13');
    expect(day(iso(2024, 6, 16), now)).toBe('Sunday, June 16');
  });

  it('counts calendar days across a month boundary', () => {
    expect(i18n('en').day(iso(2024, 2, 29, 22), new Date(2024, 2, 1, 1))).toBe('Yesterday');
  });

  it('defaults now to the current time', () => {
    expect(i18n('en').day(new Date().toISOString())).toBe('Today');
  });
});

describe('i18n().time and dateTime', () => {
  const at = new Date(2024, 5, 15, 14, 5).toISOString();

  it('formats hours and minutes in the locale convention', () => {
    expect(i18n('en').time(at)).toMatch(/^2:05\sPM$/u);
    expect(i18n('pt-BR').time(at)).toBe('14:05');
    expect(i18n('es').time(at)).toBe('14:05');
  });

  it('pads minutes to two digits', () => {
    expect(i18n('pt-BR').time(new Date(2024, 5, 15, 9, 7).toISOString())).toMatch(/^0?9:07$/);
    expect(i18n('en').time(new Date(2024, 5, 15, 9, 7).toISOString())).toMatch(/^9:07\sAM$/u);
  });

  it('formats date and time together', () => {
    const text = i18n('en').dateTime(at);
    expect(text).toContain('Jun 15, 2024');
    expect(text).toMatch(/2:05\sPM/u);
  });
});
