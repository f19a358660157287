import { css } from 'lit';

import { baseStyles, themeTokens } from '../theme.styles.js';

export const widgetStyles = [
  themeTokens,
  baseStyles,
  css`
    :host {
      display: contents;
    }
    :host([mode='inline']) {
      display: block;
    }
    .launcher {
      position: fixed;
      bottom: 20px;
      right: 20px;
      z-index: var(--chat-z-index);
      width: 58px;
      height: 58px;
      border-radius: 50%;
      border: none;
      background: var(--chat-accent);
      color: var(--chat-accent-contrast);
      box-shadow: 0 4px 16px rgba(0, 0, 0, 0.25);
      cursor: pointer;
      display: grid;
      place-items: center;
      font-size: 26px;
      transition: transform 0.15s ease;
    }
    .launcher:hover {
      transform: scale(1.05);
    }
    .launcher svg {
      width: 28px;
      height: 28px;
      fill: currentColor;
    }
    .left .launcher,
    .left.panel {
      right: auto;
      left: 20px;
    }
    .badge {
      position: absolute;
      top: -4px;
      right: -4px;
      min-width: 22px;
      height: 22px;
      padding: 0 6px;
      box-sizing: border-box;
      border-radius: 11px;
      background: var(--chat-badge-bg);
      color: var(--chat-badge-fg);
      font-size: 12px;
      font-weight: 700;
      line-height: 22px;
      text-align: center;
    }
    .panel {
      position: fixed;
      bottom: 92px;
      right: 20px;
      z-index: var(--chat-z-index);
      width: var(--chat-width);
      height: var(--chat-height);
      max-height: calc(100vh - 112px);
      max-width: calc(100vw - 40px);
      display: flex;
      flex-direction: column;
      overflow: hidden;
      border-radius: var(--chat-radius);
      background: var(--chat-bg);
      color: var(--chat-fg);
      box-shadow: 0 8px 32px rgba(0, 0, 0, 0.25);
      font-family: var(--chat-font);
      animation: rise 0.18s ease-out;
    }
    .inline.panel {
      position: relative;
      bottom: auto;
      right: auto;
      width: 100%;
      max-width: none;
      max-height: none;
      box-shadow: none;
      border: 1px solid var(--chat-border);
      animation: none;
    }
    @keyframes rise {
      from {
        opacity: 0;
        transform: translateY(12px);
      }
    }
    @media (max-width: 480px) {
      .panel:not(.inline) {
        inset: 0;
        width: 100%;
        height: 100%;
        max-height: none;
        max-width: none;
        border-radius: 0;
      }
    }
    header {
      display: flex;
      align-items: center;
      gap: 10px;
      padding: 12px 14px;
      background: var(--chat-accent);
      color: var(--chat-accent-contrast);
    }
    header .text {
      flex: 1;
      min-width: 0;
    }
    header h2 {
      margin: 0;
      font-size: 1.05em;
    }
    header p {
      margin: 2px 0 0;
      font-size: 0.85em;
    }
    .dot {
      display: inline-block;
      width: 8px;
      height: 8px;
      margin-right: 4px;
      border-radius: 50%;
      background: currentColor;
      vertical-align: middle;
    }
    .close {
      width: 36px;
      height: 36px;
      border: none;
      border-radius: 8px;
      background: transparent;
      color: inherit;
      font-size: 20px;
      cursor: pointer;
    }
    header :focus-visible {
      outline-color: var(--chat-accent-contrast);
    }
    .banner {
      padding: 6px 12px;
      font-size: 0.85em;
      background: var(--chat-bubble-bg);
      color: var(--chat-fg);
      border-bottom: 1px solid var(--chat-border);
    }
    .status {
      margin: auto;
      padding: 24px;
      text-align: center;
      color: var(--chat-muted);
    }
    .ended {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 8px;
      max-width: 300px;
    }
    .ended p {
      margin: 0;
    }
    .ended strong {
      color: var(--chat-fg);
    }
    .prechat {
      display: flex;
      flex-direction: column;
      gap: 12px;
      padding: 20px;
      overflow-y: auto;
    }
    .prechat p {
      margin: 0;
    }
    confab-thread {
      flex: 1;
    }
  `,
];
