import { css } from 'lit';

/** The look of <ww-admin> (shared looks come from styles/ and are composed in the component). */
export const wwAdminStyles = css`
  :host {
    display: block;
    overflow: auto;
    padding: 10px 14px;
    font-size: 13px;
  }
  section {
    margin-bottom: 18px;
  }
  .head {
    display: flex;
    gap: 8px;
    align-items: center;
    flex-wrap: wrap;
  }
  h2 {
    font-size: 16px;
    margin: 4px 12px 8px 0;
  }
  h3 {
    margin: 0 0 8px;
    font-size: 14px;
  }
  tr.off td {
    color: var(--ww-muted);
  }
  .status.disabled,
  .status.locked {
    color: var(--ww-offline);
  }
  .status.active {
    color: var(--ww-live);
  }
  .rules {
    max-width: 28em;
  }
  .actions {
    white-space: nowrap;
  }
  .actions button {
    margin: 0 2px 2px 0;
  }
  button.danger {
    border-color: var(--ww-offline);
  }
  .muted {
    color: var(--ww-muted);
  }
  .notice {
    color: var(--ww-live);
  }
  .notice.error,
  .field-error {
    color: var(--ww-offline);
  }
  .field-error {
    font-size: 12px;
  }
  .editor {
    margin: 8px 0 14px;
    padding: 10px 12px;
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
    gap: 8px 14px;
  }
  label.check {
    gap: 4px;
    color: var(--ww-text);
  }
  .inline {
    display: flex;
    gap: 6px;
  }
  input.days {
    width: 6em;
  }
  .rules-editor {
    margin: 10px 0 0;
    border: 1px solid var(--ww-border);
    border-radius: 4px;
  }
  .rules-editor p {
    margin: 0 0 6px;
  }
  .rule {
    display: flex;
    gap: 10px;
    align-items: center;
    margin-bottom: 4px;
    flex-wrap: wrap;
  }
  .buttons {
    display: flex;
    gap: 8px;
    margin-top: 10px;
  }
  .dialog {
    position: fixed;
    inset: 0;
    display: grid;
    place-items: center;
    background: rgba(0, 0, 0, 0.55);
    z-index: 10;
  }
  .box {
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
    padding: 16px 18px;
    max-width: 420px;
  }
`;
