import { css } from 'lit';

/** The look of <ww-follow> (shared looks come from styles/ and are composed in the component). */
export const wwFollowStyles = css`
  :host {
    display: grid;
    grid-template-columns: minmax(220px, 22rem) minmax(0, 1fr);
    min-height: 0;
    font-size: 13px;
  }
  aside {
    display: flex;
    flex-direction: column;
    gap: 6px;
    padding: 6px;
    border-right: 1px solid var(--ww-border);
    min-height: 0;
    overflow: auto;
  }
  ww-map {
    flex: 0 0 auto;
    height: min(22rem, 45vh);
  }
  .stage {
    display: flex;
    flex-direction: column;
    min-height: 0;
    padding: 6px;
    gap: 6px;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 10px;
    align-items: center;
  }
  .bar .hint {
    color: var(--ww-muted);
    margin-right: auto;
  }
  .bar label {
    color: var(--ww-muted);
  }
  input.time {
    width: 7.5em;
  }
  .clock {
    font: 600 18px ui-monospace, Menlo, Consolas, monospace;
    font-variant-numeric: tabular-nums;
  }
  .export.failed {
    color: var(--ww-offline);
  }
  .export {
    margin: 0;
  }
  .export a {
    color: var(--ww-accent);
  }
  .grid {
    flex: 1;
    min-height: 0;
    display: grid;
    gap: 4px;
    grid-template-columns: minmax(0, 1fr) minmax(0, 3fr) minmax(0, 1fr);
    grid-template-rows: minmax(0, 1fr) minmax(0, 3fr) minmax(0, 1fr);
    grid-template-areas: '. ahead .' 'left centre right' '. behind .';
  }
  .centre {
    grid-area: centre;
    display: flex;
    min-height: 0;
  }
  .centre > * {
    flex: 1;
  }
  .side {
    display: flex;
    gap: 4px;
    min-height: 0;
    min-width: 0;
    justify-content: center;
  }
  .side.ahead {
    grid-area: ahead;
  }
  .side.behind {
    grid-area: behind;
  }
  .side.left {
    grid-area: left;
    flex-direction: column;
  }
  .side.right {
    grid-area: right;
    flex-direction: column;
  }
  .nb {
    position: relative;
    flex: 1;
    display: flex;
    min-height: 0;
    min-width: 0;
    max-width: 100%;
    cursor: pointer;
    border: 2px solid transparent;
    border-radius: var(--ww-radius);
  }
  .side.ahead .nb,
  .side.behind .nb {
    max-width: 40%;
  }
  .nb:hover,
  .nb:focus-visible {
    border-color: var(--ww-accent);
    outline: none;
  }
  .nb > :not(.dir) {
    flex: 1;
    pointer-events: none;
  }
  .dir {
    position: absolute;
    z-index: 2;
    left: 4px;
    bottom: 4px;
    background: #000b;
    color: #fff;
    font-weight: 600;
    padding: 1px 6px;
    border-radius: 3px;
  }
  .empty {
    flex: 1;
    display: grid;
    place-items: center;
    color: var(--ww-muted);
  }
  @media (max-width: 700px) {
    :host {
      grid-template-columns: 1fr;
      grid-template-rows: auto minmax(0, 1fr);
    }
  }
`;
