import { css } from 'lit';

/** The look of <ww-residents> (shared looks come from styles/ and are composed in the component). */
export const wwResidentsStyles = css`
  :host {
    display: block;
    overflow: auto;
    background: var(--ww-bg);
  }
  .page {
    padding: 12px 16px;
    display: flex;
    flex-direction: column;
    gap: 12px;
  }
  header {
    display: flex;
    align-items: baseline;
    gap: 12px;
  }
  h2,
  h3 {
    margin: 0;
  }
  .spacer {
    flex: 1;
  }
  .muted {
    color: var(--ww-muted);
    font-size: 0.9em;
  }
  .warn {
    color: var(--ww-offline);
  }
  .actions button {
    margin: 0 4px 4px 0;
  }
  .status.approved {
    color: var(--ww-live);
  }
  .status.pending {
    color: var(--ww-connecting);
  }
  .status.revoked {
    color: var(--ww-offline);
  }
  .status.paused {
    color: var(--ww-muted);
  }
  .form,
  .reveal {
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
    padding: 12px;
    display: flex;
    flex-direction: column;
    gap: 10px;
  }
  .reveal {
    border-color: var(--ww-resident);
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
    gap: 8px 12px;
  }
  label {
    font-size: 0.9em;
  }
  .buttons {
    display: flex;
    gap: 8px;
  }
  .secret {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .secret .label {
    min-width: 10em;
    color: var(--ww-muted);
  }
  .secret code {
    flex: 1;
    word-break: break-all;
    background: var(--ww-panel-2);
    padding: 3px 6px;
    border-radius: 3px;
  }
`;
