import { css } from 'lit';

import { messageActionStyles } from './message-actions.styles.js';

/** Messages: bubbles, avatars, quotes, reactions, time and ticks, the actions button, typing (and message-actions.styles.ts). */
export const messageStyles = css`
  /* Messages: others' sit beside a 24 px avatar column (the avatar on the first of a group). */
  .msg {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    max-width: 82%;
    border-radius: 8px;
  }
  .msg.theirs {
    padding-inline-start: 32px;
  }
  .msg.start {
    margin-top: 8px;
  }
  .msg.mine {
    align-self: flex-end;
    align-items: flex-end;
  }
  .sender {
    font-size: 0.78em;
    color: var(--chat-muted);
    margin: 0 4px 2px;
  }
  .line {
    position: relative;
    display: flex;
    max-width: 100%;
    min-width: 0;
  }
  .line > .avatar {
    position: absolute;
    inset-inline-end: calc(100% + 8px);
    top: 0;
  }
  .bubble {
    min-width: 0;
    padding: 8px 12px;
    border-radius: var(--chat-radius, 12px);
    background: var(--chat-bubble-bg);
    color: var(--chat-bubble-fg, var(--chat-fg));
    overflow-wrap: anywhere;
    line-height: 1.4;
  }
  .flash .bubble {
    animation: flash 1.6s ease-out;
  }
  @keyframes flash {
    0%,
    40% {
      box-shadow: 0 0 0 3px var(--chat-focus, var(--chat-accent));
    }
    100% {
      box-shadow: 0 0 0 3px transparent;
    }
  }
  /* The quote of the message a reply answers, inside the reply's bubble. */
  .quote {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 1px;
    box-sizing: border-box;
    max-width: 100%;
    min-width: 0;
    margin: 0 0 6px;
    padding: 4px 8px;
    border: 0;
    border-inline-start: 3px solid currentColor;
    border-radius: 6px;
    background: rgba(127, 127, 127, 0.16);
    color: inherit;
    font: inherit;
    font-size: 0.85em;
    line-height: 1.3;
    text-align: start;
    cursor: pointer;
  }
  .quote:hover {
    background: rgba(127, 127, 127, 0.26);
  }
  .quote.missing,
  .quote.deleted .quote-text {
    font-style: italic;
  }
  .quote.missing {
    cursor: default;
  }
  .quote-name {
    font-weight: 600;
  }
  .quote-text {
    max-width: 100%;
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
    opacity: 0.85;
  }
  .text {
    white-space: pre-wrap;
  }
  .mine .bubble {
    background: var(--chat-accent);
    color: var(--chat-accent-contrast);
  }
  .mine .bubble a {
    color: inherit;
  }
  .bubble a {
    color: var(--chat-link, var(--chat-accent));
    text-decoration: underline;
  }
  .deleted .bubble {
    font-style: italic;
    background: transparent;
    color: var(--chat-muted);
    border: 1px dashed var(--chat-border-strong, #6b7280);
  }
  .failed .bubble {
    outline: 2px solid var(--chat-danger, #b42318);
  }
  .meta {
    display: flex;
    align-items: center;
    gap: 6px;
    margin: 2px 2px 0;
    font-size: 0.72em;
    color: var(--chat-muted);
  }
  .tick.read {
    color: var(--chat-read, var(--chat-link, var(--chat-accent)));
    font-weight: 700;
  }
  .reactions {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin-top: 2px;
  }
  .reaction {
    font: inherit;
    font-size: 0.8em;
    padding: 1px 6px;
    border-radius: 999px;
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
    background: var(--chat-bg);
    color: var(--chat-fg);
    cursor: pointer;
  }
  .reaction[aria-pressed='true'] {
    border-color: var(--chat-accent);
  }
  /* The actions button floats beside the bubble: no space is kept for it. */
  .more {
    position: absolute;
    top: 50%;
    inset-inline-start: 100%;
    translate: 0 -50%;
    display: grid;
    place-items: center;
    inline-size: 28px;
    block-size: 28px;
    margin-inline-start: 2px;
    padding: 0;
    border: 0;
    border-radius: 50%;
    background: transparent;
    color: var(--chat-muted);
    fill: currentColor;
    cursor: pointer;
    opacity: 0;
  }
  .mine .more {
    inset-inline-start: auto;
    inset-inline-end: 100%;
    margin-inline: 0 2px;
  }
  .more:hover,
  .more[aria-expanded='true'] {
    background: var(--chat-bubble-bg);
    color: var(--chat-fg);
  }
  .msg:hover .more,
  .msg:focus-within .more,
  .msg:focus .more,
  .msg.touched .more {
    opacity: 1;
  }
  .sheet button,
  .edit button,
  .retry,
  .replying .close {
    font: inherit;
    font-size: 0.9em;
    padding: 4px 10px;
    border-radius: 8px;
    border: 1px solid transparent;
    background: transparent;
    color: var(--chat-fg);
    cursor: pointer;
  }
  .sheet button:hover,
  .edit button:hover,
  .replying .close:hover {
    background: var(--chat-bubble-bg);
  }
  .retry {
    color: var(--chat-danger, #b42318);
    text-decoration: underline;
    padding: 0 4px;
  }
  /* The other side typing: dots in a bubble at the end of the list, beside their avatar. */
  .typing {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .typing:not(.on) {
    block-size: 0;
    overflow: hidden;
  }
  .typing.on {
    margin-top: 8px;
  }
  .typing .avatar-space {
    flex: none;
    inline-size: 24px;
  }
  .dots {
    display: inline-flex;
    gap: 4px;
    padding: 12px 14px;
    border-radius: var(--chat-radius, 12px);
    background: var(--chat-bubble-bg);
  }
  .dots i {
    inline-size: 7px;
    block-size: 7px;
    border-radius: 50%;
    background: var(--chat-muted);
    animation: typing 1.2s ease-in-out infinite;
  }
  .dots i:nth-child(2) {
    animation-delay: 0.15s;
  }
  .dots i:nth-child(3) {
    animation-delay: 0.3s;
  }
  @keyframes typing {
    0%,
    60%,
    100% {
      opacity: 0.35;
      translate: 0 0;
    }
    30% {
      opacity: 1;
      translate: 0 -3px;
    }
  }
  ${messageActionStyles}
  @media (prefers-reduced-motion: reduce) {
    .dots i,
    .flash .bubble {
      animation: none;
    }
    .dots i {
      opacity: 0.7;
    }
    .flash .bubble {
      box-shadow: 0 0 0 3px var(--chat-focus, var(--chat-accent));
    }
  }
`;
