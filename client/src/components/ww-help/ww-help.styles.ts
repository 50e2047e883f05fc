import { css } from 'lit';

/** The look of <ww-help> (shared looks come from styles/ and are composed in the component). */
export const wwHelpStyles = css`
  :host {
    position: fixed;
    inset: 0;
    z-index: 100;
    display: flex;
    align-items: center;
    justify-content: center;
  }
  .backdrop {
    position: absolute;
    inset: 0;
    background: rgba(0, 0, 0, 0.6);
  }
  section {
    position: relative;
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: 10px;
    padding: 20px 24px;
    max-width: min(640px, 92vw);
    max-height: 90vh;
    overflow: auto;
    box-shadow: 0 20px 60px rgba(0, 0, 0, 0.6);
  }
  h2 {
    margin: 0 0 12px;
    font-size: 18px;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  td {
    padding: 6px 8px;
    border-bottom: 1px solid var(--ww-border);
    font-size: 14px;
    vertical-align: middle;
  }
  td.keys {
    white-space: nowrap;
    width: 1%;
  }
  kbd {
    display: inline-block;
    min-width: 1.8em;
    padding: 2px 6px;
    margin-right: 3px;
    border: 1px solid var(--ww-border);
    border-bottom-width: 2px;
    border-radius: 4px;
    background: var(--ww-panel-2);
    font: 600 12.5px ui-monospace, Menlo, Consolas, monospace;
    text-align: center;
  }
  .plus {
    margin: 0 4px 0 1px;
    color: var(--ww-muted);
  }
  p {
    color: var(--ww-muted);
    font-size: 13px;
  }
  .close {
    float: right;
    padding: 6px 16px;
    border-radius: var(--ww-radius);
    border: 1px solid var(--ww-border);
    background: var(--ww-accent);
    color: #fff;
    cursor: pointer;
  }
`;
