import { css, html } from 'lit';

import { styleProps } from './style-props.js';

/** Who an avatar stands for: a user summary, an agent status, a visitor. */
export interface AvatarPerson {
  id?: string | null;
  name?: string | null;
  lastName?: string | null;
  username?: string | null;
  avatarUrl?: string | null;
}

/** "Alice Liddell": the name with the last name when there is one, else the username; '' when none. */
export function fullName(person: AvatarPerson | null | undefined): string {
  if (!person) return '';
  return [person.name, person.lastName].filter(Boolean).join(' ').trim() || person.username || '';
}

/** Up to two initials from the name (or username); "?" when there is nothing to go on. */
export function initials(person: AvatarPerson): string {
  const words = [person.name, person.lastName].filter(Boolean).join(' ').trim().split(/\s+/).filter(Boolean);
  const source = words.length ? words : (person.username ?? '').split(/[\s._-]+/).filter(Boolean);
  const letters = source.length > 1 ? [source[0], source[source.length - 1]] : source.slice(0, 1);
  const text = letters.map((w) => [...w!][0]!.toLocaleUpperCase()).join('');
  return text || '?';
}

/** A stable hue per person, so the same visitor keeps their colour in every list. */
export function hueOf(key: string): number {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

/**
 * A round avatar: the picture when `avatarUrl` is an http(s) URL, else initials on a colour of
 * the person's own (set through the CSSOM: a strict CSP refuses style attributes). Decorative
 * (`aria-hidden`): the name is always written beside it.
 */
export function renderAvatar(person: AvatarPerson, size: 'sm' | 'md' = 'md') {
  const url = person.avatarUrl && /^https?:\/\//i.test(person.avatarUrl) ? person.avatarUrl : null;
  const hue = hueOf(person.id || person.name || person.username || '?');
  const cls = `avatar ${size}`;
  if (url) return html`<img class=${cls} src=${url} alt="" aria-hidden="true" loading="lazy" referrerpolicy="no-referrer" />`;
  return html`<span class=${cls} aria-hidden="true" ${styleProps({ '--avatar-hue': String(hue) })}>${initials(person)}</span>`;
}

/** Styles for `renderAvatar`: add to the component's `styles`. */
export const avatarStyles = css`
  .avatar {
    flex: none;
    display: inline-grid;
    place-items: center;
    inline-size: 32px;
    block-size: 32px;
    border-radius: 50%;
    object-fit: cover;
    font-size: 13px;
    font-weight: 600;
    line-height: 1;
    color: #fff;
    /* 32% lightness: white initials keep 4.5:1 on every hue. */
    background: hsl(var(--avatar-hue, 220) 45% 32%);
    user-select: none;
  }
  .avatar.sm {
    inline-size: 24px;
    block-size: 24px;
    font-size: 11px;
  }
`;
