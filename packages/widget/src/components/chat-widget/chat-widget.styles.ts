import { css } from 'lit';

import { avatarStyles } from '../../lib/avatar.js';
import { baseStyles, themeTokens } from '../theme.styles.js';

export const widgetStyles = [
  themeTokens,
  baseStyles,
  avatarStyles,
  css`
    :host {
      display: contents;
    }
    :host([mode='inline']) {
      display: block;
    }
    .launcher {
      position: fixed;
      bottom: calc(20px + env(safe-area-inset-bottom, 0px));
      right: calc(20px + env(safe-area-inset-right, 0px));
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
      left: calc(20px + env(safe-area-inset-left, 0px));
    }
    .launcher-note {
      position: fixed;
      bottom: calc(31px + env(safe-area-inset-bottom, 0px));
      right: calc(90px + env(safe-area-inset-right, 0px));
      z-index: var(--chat-z-index);
      display: flex;
      align-items: center;
      gap: 8px;
      max-width: min(280px, calc(100vw - 130px));
      padding: 8px 14px;
      box-sizing: border-box;
      border-radius: 999px;
      background: var(--chat-bg);
      color: var(--chat-fg);
      box-shadow: 0 2px 12px rgba(0, 0, 0, 0.18);
      font-family: var(--chat-font);
      font-size: 0.85em;
      cursor: pointer;
      animation: rise 0.18s ease-out;
    }
    .launcher-note:has(.faces) {
      padding-left: 6px;
    }
    .launcher-note span:last-child {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .left .launcher-note {
      right: auto;
      left: calc(90px + env(safe-area-inset-left, 0px));
    }
    .faces {
      display: flex;
      flex: none;
    }
    .faces .avatar {
      box-shadow: 0 0 0 2px var(--chat-bg);
    }
    .faces .avatar + .avatar {
      margin-inline-start: -7px;
    }
    .faces .more {
      background: var(--chat-bubble-bg);
      color: var(--chat-fg);
      font-size: 10px;
    }
    header .faces .avatar {
      inline-size: 32px;
      block-size: 32px;
      font-size: 12px;
      box-shadow: 0 0 0 2px var(--chat-accent);
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
      bottom: calc(92px + env(safe-area-inset-bottom, 0px));
      right: calc(20px + env(safe-area-inset-right, 0px));
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
    /* Phones: the panel is the whole visible viewport (above the on-screen keyboard, inside the safe area). */
    @media (max-width: 480px) {
      .panel:not(.inline) {
        inset: 0;
        top: var(--chat-viewport-top, 0);
        bottom: auto;
        width: 100%;
        height: 100%;
        height: var(--chat-viewport-height, 100dvh);
        max-height: none;
        max-width: none;
        box-sizing: border-box;
        padding: 0 env(safe-area-inset-right, 0px) env(safe-area-inset-bottom, 0px) env(safe-area-inset-left, 0px);
        border-radius: 0;
        animation: none;
      }
      .panel:not(.inline) header {
        padding-top: calc(12px + env(safe-area-inset-top, 0px));
      }
      .launcher-note {
        display: none;
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
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    header p {
      margin: 2px 0 0;
      font-size: 0.85em;
    }
    .reply-time {
      display: block;
      margin-top: 1px;
      font-size: 0.8em;
      opacity: 0.9;
    }
    .dot {
      display: inline-block;
      width: 8px;
      height: 8px;
      margin-right: 5px;
      border-radius: 50%;
      background: var(--chat-online);
      box-shadow: 0 0 0 1.5px var(--chat-accent-contrast);
      vertical-align: 1px;
    }
    .icon {
      flex: none;
      display: grid;
      place-items: center;
      width: 36px;
      height: 36px;
      padding: 0;
      border: none;
      border-radius: 8px;
      background: transparent;
      color: inherit;
      font-size: 20px;
      cursor: pointer;
    }
    .icon:hover {
      background: rgba(127, 127, 127, 0.2);
    }
    .icon svg {
      width: 24px;
      height: 24px;
      fill: currentColor;
    }
    .back {
      margin-inline-start: -6px;
      margin-inline-end: -4px;
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
    .banner.note {
      text-align: center;
      color: var(--chat-muted);
      background: var(--chat-bg);
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
    /* 16 px: below it, iOS zooms the page in when a field gets focus. */
    .prechat input {
      font-size: 16px;
    }
    confab-thread,
    confab-conversation-list {
      flex: 1;
      min-height: 0;
    }
  `,
];
