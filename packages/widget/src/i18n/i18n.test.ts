import { afterEach, describe, expect, it, vi } from 'vitest';

import { en } from './en.js';
import { es } from './es.js';
import { i18n, type Locale, resolveLocale, type Strings } from './index.js';
import { ptBR } from './pt-BR.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

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

describe('dictionaries', () => {
  const locales: [string, Strings][] = [
    ['pt-BR', ptBR],
    ['es', es],
  ];
  const keys = Object.keys(en) as (keyof Strings)[];

  it('English has non-empty strings for every key', () => {
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(en[key].trim(), key).not.toBe('');
  });

  it.each(locales)('%s has exactly the keys of English', (_, strings) => {
    expect(Object.keys(strings).sort()).toEqual([...keys].sort());
  });

  it.each(locales)('%s has a non-empty string for every key', (_, strings) => {
    for (const key of keys) {
      expect(typeof strings[key], key).toBe('string');
      expect(strings[key].trim(), key).not.toBe('');
    }
  });

  it.each(locales)('%s uses the same {placeholders} as English in every string', (_, strings) => {
    for (const key of keys) expect(placeholders(strings[key]), key).toEqual(placeholders(en[key]));
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
