import { css } from 'lit';

/** The look of <ww-audit> (shared looks come from styles/ and are composed in the component). */
export const wwAuditStyles = css`
  :host {
    display: block;
    overflow: auto;
    padding: 10px 14px;
    font-size: 13px;
  }
  h2 {
    font-size: 16px;
    margin: 4px 0 8px;
  }
  .filter {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: flex-end;
    margin-bottom: 10px;
  }
  input[name='from'],
  input[name='to'] {
    width: 13em;
  }
  .num,
  .time,
  .hash {
    font-family: ui-monospace, Menlo, Consolas, monospace;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .detail {
    max-width: 32em;
    overflow-wrap: anywhere;
    color: var(--ww-muted);
  }
  .muted {
    color: var(--ww-muted);
  }
  .more {
    display: flex;
    gap: 10px;
    align-items: center;
    margin-top: 8px;
  }
`;
