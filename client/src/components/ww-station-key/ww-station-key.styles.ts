import { css } from 'lit';

/** The look of <ww-station-key> (shared looks come from styles/ and are composed in the component). */
export const wwStationKeyStyles = css`
  :host {
    display: block;
  }
  h2 {
    font-size: 16px;
    margin: 0 0 6px;
  }
  .help {
    color: var(--ww-muted);
    margin: 0 0 8px;
    max-width: 70ch;
  }
  dt {
    color: var(--ww-muted);
    font-size: 12px;
  }
  dd {
    margin: 0 0 8px;
  }
  .fp {
    font: 600 16px ui-monospace, Menlo, Consolas, monospace;
    letter-spacing: 0.5px;
  }
  .mono {
    font-family: ui-monospace, Menlo, Consolas, monospace;
    font-size: 12px;
    word-break: break-all;
    margin: 0;
  }
`;
