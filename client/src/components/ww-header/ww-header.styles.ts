import { css } from 'lit';

/** The look of <ww-header> (shared looks come from styles/ and are composed in the component). */
export const wwHeaderStyles = css`
  :host {
    display: block;
    background: var(--ww-panel);
    border-bottom: 1px solid var(--ww-border);
  }
  /* One row down to 1600 px wide, in both languages (e2e/small-screen checks it). */
  header {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 10px;
    min-height: 52px;
    flex-wrap: wrap;
  }
  .brand {
    display: flex;
    align-items: center;
    gap: 10px;
    color: var(--ww-accent);
  }
  .titles {
    display: flex;
    flex-direction: column;
    line-height: 1.15;
  }
  h1 {
    margin: 0;
    font-size: 15px;
    font-weight: 650;
    color: var(--ww-text);
    white-space: nowrap;
  }
  .subtitle {
    font-size: 11.5px;
    color: var(--ww-muted);
    white-space: nowrap;
  }
  .clock {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    line-height: 1.1;
    padding-left: 10px;
    border-left: 1px solid var(--ww-border);
  }
  .time {
    font: 600 21px/1.1 ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-variant-numeric: tabular-nums;
    letter-spacing: 0.02em;
  }
  .date {
    font-size: 11.5px;
    color: var(--ww-muted);
  }
  .conn {
    display: flex;
    align-items: center;
    gap: 7px;
    font-size: 13px;
    padding: 4px 10px;
    border-radius: 999px;
    background: var(--ww-panel-2);
    border: 1px solid var(--ww-border);
    white-space: nowrap;
  }
  .conn.offline {
    border-color: color-mix(in srgb, var(--ww-offline) 55%, transparent);
    color: #ffd3cf;
  }
  .conn-detail {
    color: var(--ww-muted);
  }
  .conn:has(.quiet) {
    padding: 4px 6px;
  }
  .conn-text.quiet {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .spacer {
    flex: 1;
  }
  .group {
    display: flex;
    gap: 2px;
    padding: 2px;
    background: var(--ww-panel-2);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
  }
  .group button {
    min-width: 30px;
    padding: 0 6px;
    height: 30px;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    border: 0;
    border-radius: 4px;
    background: transparent;
    color: var(--ww-muted);
    cursor: pointer;
    font-weight: 600;
    font-size: 13px;
  }
  .group button:hover {
    background: rgba(255, 255, 255, 0.06);
    color: var(--ww-text);
  }
  .group button.active {
    background: var(--ww-accent);
    color: #fff;
  }
  .group button:focus-visible {
    outline: 2px solid var(--ww-accent);
    outline-offset: 1px;
  }
  svg rect {
    fill: currentColor;
  }
  .user {
    display: flex;
    align-items: center;
    gap: 8px;
    font-size: 13px;
    white-space: nowrap;
  }
  .who {
    display: flex;
    flex-direction: column;
    line-height: 1.15;
  }
  .user-name {
    font-weight: 600;
    max-width: 12em;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .user-role {
    color: var(--ww-muted);
    font-size: 11.5px;
  }
  .icon-btn,
  .logout {
    height: 30px;
    padding: 0 8px;
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
    background: var(--ww-panel-2);
    cursor: pointer;
  }
  .logout:hover {
    border-color: var(--ww-offline);
  }
  @media (max-width: 700px) {
    header {
      gap: 8px 10px;
      padding: 6px 8px;
    }
    /* A phone shows one or four tiles (core/swipe.ts). */
    [data-layout='3x3'],
    [data-layout='4x4'],
    [data-layout='1+5'] {
      display: none !important;
    }
    .subtitle,
    .date {
      display: none;
    }
    h1 {
      font-size: 15px;
    }
    .clock {
      padding-left: 0;
      border-left: 0;
    }
    .time {
      font-size: 17px;
    }
    .spacer {
      display: none;
    }
  }
`;
