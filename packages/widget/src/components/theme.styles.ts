import { css } from 'lit';

/**
 * The `--chat-*` tokens with their defaults, light and dark (colour pairs keep ≥ 4.5:1 contrast),
 * declared on the public elements' `:host` only: page CSS on the element overrides any of them.
 */
const dark = css`
  --chat-accent: #8ab4ff;
  --chat-accent-contrast: #0b1020;
  --chat-bg: #16181d;
  --chat-fg: #e6e8eb;
  --chat-muted: #a3abb6;
  --chat-bubble-bg: #262a31;
  --chat-border: #353a43;
  --chat-border-strong: #8b939e;
  --chat-link: #9cc0ff;
  --chat-danger: #ff8a80;
  --chat-disabled-bg: #3a3f48;
  --chat-disabled-fg: #d7dbe0;
  --chat-online: #4ac26b;
  color-scheme: dark;
`;

export const themeTokens = css`
  :host {
    --chat-accent: #1d4ed8;
    --chat-accent-contrast: #ffffff;
    --chat-bg: #ffffff;
    --chat-fg: #1f2328;
    --chat-muted: #57606a;
    --chat-radius: 12px;
    --chat-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --chat-z-index: 2147483000;
    --chat-width: 370px;
    --chat-height: 560px;
    --chat-bubble-bg: #eef1f4;
    --chat-border: #d8dde3;
    --chat-border-strong: #6b7280;
    --chat-link: #1d4ed8;
    --chat-danger: #b42318;
    --chat-disabled-bg: #d5d9df;
    --chat-disabled-fg: #2f343b;
    --chat-badge-bg: #c62828;
    --chat-badge-fg: #ffffff;
    --chat-online: #1a7f37;
    color-scheme: light;
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
    }
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
      scroll-behavior: auto !important;
    }
  }
`;

/** Hidden on screen, read by screen readers. */
export const srOnly = css`
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** Shared bits of the public elements' own shadow roots. */
export const baseStyles = css`
  ${srOnly}
  :host {
    font-family: var(--chat-font);
    font-size: 15px;
    color: var(--chat-fg);
  }
  [hidden] {
    display: none !important;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
  }
  :focus-visible {
    outline: 3px solid var(--chat-focus, var(--chat-accent));
    outline-offset: 2px;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .field input,
  .field select {
    padding: 8px 10px;
    border-radius: 8px;
    border: 1px solid var(--chat-border-strong);
    background: var(--chat-bg);
    color: var(--chat-fg);
  }
  .primary {
    padding: 9px 16px;
    border: none;
    border-radius: 8px;
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
    font-weight: 600;
    cursor: pointer;
  }
  .error {
    color: var(--chat-danger);
  }
`;
