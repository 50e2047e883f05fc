import { css } from 'lit';

/** The look of <ww-export> (shared looks come from styles/ and are composed in the component). */
export const wwExportStyles = css`
  :host {
    display: block;
    font-size: 13px;
  }
  h3 {
    margin: 0 0 6px;
    font-size: 14px;
  }
  .fields {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 10px;
    align-items: center;
  }
  label {
    display: inline-flex;
    gap: 4px;
    align-items: center;
    color: var(--ww-muted);
  }
  input,
  button {
    padding: 3px 6px;
  }
  .progress {
    display: flex;
    gap: 8px;
    align-items: center;
    margin-top: 6px;
  }
  progress {
    width: 240px;
  }
  .error {
    margin-top: 6px;
  }
  .result {
    margin-top: 6px;
    padding: 6px 8px;
    border-radius: 4px;
    border: 1px solid var(--ww-border);
  }
  .result.ok {
    border-color: var(--ww-live);
  }
  .result.bad {
    border-color: var(--ww-offline);
  }
  table {
    border-collapse: collapse;
    margin: 4px 0;
  }
  td {
    padding: 1px 10px 1px 0;
  }
  .good {
    color: var(--ww-live);
  }
  .badv {
    color: var(--ww-offline);
    font-weight: 600;
  }
  .hash {
    font-family: ui-monospace, Menlo, Consolas, monospace;
    color: var(--ww-muted);
  }
  .save {
    color: var(--ww-accent);
  }
  .sig {
    margin: 4px 0;
  }
  .fp {
    font-size: 12px;
    word-break: break-all;
  }
`;
