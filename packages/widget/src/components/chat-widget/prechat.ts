import { html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';

export interface PrechatRules {
  requireName: boolean;
  requireEmail: boolean;
}

/** The pre-chat form (`part="prechat"`): only the fields the element requires. */
export function renderPrechat(i18n: I18n, rules: PrechatRules, error: string, onSubmit: (e: Event) => void) {
  const { t } = i18n;
  return html`<form class="prechat" part="prechat" @submit=${onSubmit} novalidate>
    <p>${t('prechatIntro')}</p>
    ${
      rules.requireName
        ? html`<label class="field">${t('name')} <input name="name" autocomplete="name" required maxlength="100" /></label>`
        : nothing
    }
    ${
      rules.requireEmail
        ? html`<label class="field">${t('email')} <input name="email" type="email" autocomplete="email" required maxlength="254" /></label>`
        : nothing
    }
    ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
    <button class="primary" type="submit">${t('startChat')}</button>
  </form>`;
}

export type PrechatResult = { ok: true; name: string; email: string } | { ok: false; error: string; field: 'name' | 'email' };

/** Reads and checks the form: required fields filled, the email shaped like one. */
export function readPrechat(form: HTMLFormElement, rules: PrechatRules, i18n: I18n): PrechatResult {
  const { t } = i18n;
  const data = new FormData(form);
  const name = String(data.get('name') ?? '').trim();
  const email = String(data.get('email') ?? '').trim();
  if (rules.requireName && !name) return { ok: false, error: `${t('name')}: ${t('required')}`, field: 'name' };
  if (rules.requireEmail && !email) return { ok: false, error: `${t('email')}: ${t('required')}`, field: 'email' };
  if (rules.requireEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { ok: false, error: t('invalidEmail'), field: 'email' };
  return { ok: true, name, email };
}
