import { css } from 'lit';

/** The look of <ww-review> (shared looks come from styles/ and are composed in the component). */
export const wwReviewStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    gap: 6px;
    padding: 6px 10px;
    min-height: 0;
    overflow: auto;
    font-size: 13px;
  }
  .picker {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 12px;
    align-items: center;
  }
  fieldset {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 10px;
    border: 1px solid var(--ww-border);
    border-radius: 4px;
    margin: 0;
    padding: 2px 8px 4px;
  }
  legend {
    color: var(--ww-muted);
    padding: 0 4px;
  }
  .cam {
    display: inline-flex;
    gap: 4px;
    align-items: center;
    white-space: nowrap;
  }
  label {
    color: var(--ww-muted);
  }
  .recorded-only {
    margin-left: 0.3rem;
    padding: 0 0.3rem;
    border-radius: 3px;
    background: var(--ww-panel-2);
    color: var(--ww-muted);
    font-size: 11px;
  }
  .tz {
    color: var(--ww-muted);
    font-size: 12px;
  }
  .form-error {
    color: var(--ww-offline);
  }
  .replay {
    color: #f5c542;
    font-weight: 600;
  }
  .grid {
    flex: 1;
    min-height: 240px;
    display: grid;
    gap: 3px;
    grid-template-columns: repeat(var(--cols), minmax(0, 1fr));
    grid-template-rows: repeat(var(--rows), minmax(0, 1fr));
  }
  .transport {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: center;
  }
  .now {
    display: inline-flex;
    flex-direction: column;
    line-height: 1.1;
    padding: 0 8px;
  }
  .now .clock {
    font: 600 18px ui-monospace, Menlo, Consolas, monospace;
    font-variant-numeric: tabular-nums;
  }
  .now .date {
    color: var(--ww-muted);
    font-size: 11px;
  }
  .goto {
    display: inline-flex;
    gap: 4px;
  }
  .goto input {
    width: 17em;
  }
  .empty {
    color: var(--ww-muted);
    padding: 2em;
    text-align: center;
  }
`;
