import { css } from 'lit';

/** Shared design tokens: a dark control-room theme readable from a distance. */
export const theme = css`
  :host {
    --ww-bg: #0a0e13;
    --ww-panel: #111821;
    --ww-panel-2: #16202b;
    --ww-border: #243242;
    --ww-text: #dde6ef;
    --ww-muted: #8c9db1;
    --ww-accent: #3b8eea;
    --ww-live: #2fbf5b;
    --ww-connecting: #e0a526;
    --ww-offline: #f0524a;
    /* Cameras installed by residents (not the station's own). */
    --ww-resident: #b48cf2;
    --ww-radius: 6px;
    --ww-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif;
    font-family: var(--ww-font);
    color: var(--ww-text);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  button {
    font: inherit;
    color: inherit;
  }
  .dot {
    display: inline-block;
    width: 0.6em;
    height: 0.6em;
    border-radius: 50%;
    background: var(--ww-muted);
    flex: none;
  }
  .dot.live {
    background: var(--ww-live);
    box-shadow: 0 0 6px var(--ww-live);
  }
  .dot.connecting {
    background: var(--ww-connecting);
  }
  .dot.offline {
    background: var(--ww-offline);
  }
  .dot.held {
    background: transparent;
    border: 1px solid var(--ww-muted);
  }
`;

/** The dimmed full-window layer behind a modal dialog (the dialog is centred in it or placed over it). */
export const modalBackdrop = css`
  .backdrop {
    position: fixed;
    inset: 0;
    z-index: 50;
    display: grid;
    place-items: center;
    background: rgba(0, 0, 0, 0.55);
  }
`;

/** Lists shown as tables on the administration pages (users, residents, audit, health history). */
export const dataTable = css`
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: left;
    vertical-align: top;
    padding: 5px 8px;
    border-bottom: 1px solid var(--ww-border);
  }
  th {
    color: var(--ww-muted);
    font-weight: 600;
  }
`;
