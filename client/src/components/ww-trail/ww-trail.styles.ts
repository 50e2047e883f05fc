import { css } from 'lit';

/** The look of <ww-trail> (shared looks come from styles/ and are composed in the component). */
export const wwTrailStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    gap: 4px;
    min-height: 0;
  }
  h3 {
    margin: 4px 0 0;
    font-size: 13px;
    color: var(--ww-muted);
  }
  .muted {
    color: var(--ww-muted);
    margin: 0;
  }
  select {
    max-width: 100%;
  }
  .hops {
    margin: 0;
    padding-left: 1.6em;
    overflow: auto;
  }
  .hops li {
    padding: 2px 0;
  }
  .name {
    display: block;
    font-weight: 600;
  }
  .times {
    color: var(--ww-muted);
    font-variant-numeric: tabular-nums;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
  }
`;
