import { css } from 'lit';

/** The look of <ww-displays> (shared looks come from styles/ and are composed in the component). */
export const wwDisplaysStyles = css`
  :host {
    display: block;
    overflow: auto;
    padding: 12px 16px;
    background: var(--ww-bg);
  }
  h2 {
    font-size: 1rem;
    margin: 12px 0 8px;
  }
  .display {
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
    background: var(--ww-panel);
    padding: 8px 10px;
    margin-bottom: 8px;
  }
  .head,
  .controls,
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px 10px;
  }
  .controls {
    margin-top: 6px;
  }
  .muted {
    color: var(--ww-muted);
    font-size: 0.9em;
  }
  .source {
    color: var(--ww-accent);
  }
  .status {
    min-height: 1.2em;
    color: var(--ww-muted);
  }
  ul,
  ol {
    padding-left: 1.2em;
  }
  li {
    margin: 3px 0;
  }
  .del {
    margin-left: 6px;
    padding: 0 6px;
  }
`;
