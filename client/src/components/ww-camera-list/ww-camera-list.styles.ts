import { css } from 'lit';

/** The look of <ww-camera-list> (shared looks come from styles/ and are composed in the component). */
export const wwCameraListStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    /* Nothing of the list paints over the map or the wall when the column is short: the list scrolls. */
    overflow: hidden;
    background: var(--ww-panel);
    border-right: 1px solid var(--ww-border);
    padding: 10px 8px 8px;
    gap: 8px;
  }
  .head {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    padding: 0 4px;
  }
  h2 {
    margin: 0;
    font-size: 13px;
    text-transform: uppercase;
    letter-spacing: 0.06em;
    color: var(--ww-muted);
  }
  .count {
    font-size: 12px;
    color: var(--ww-muted);
    font-variant-numeric: tabular-nums;
  }
  input {
    width: 100%;
    padding: 7px 9px;
    border-radius: var(--ww-radius);
    border: 1px solid var(--ww-border);
    background: var(--ww-bg);
    color: var(--ww-text);
    font: inherit;
    font-size: 13.5px;
  }
  input:focus {
    outline: 2px solid var(--ww-accent);
    outline-offset: -1px;
  }
  .summary {
    font-size: 12px;
    color: var(--ww-muted);
    padding: 0 4px;
  }
  .summary.stale {
    color: #ffd3cf;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    overflow-y: auto;
    flex: 1;
    min-height: 3rem;
  }
  .item {
    width: 100%;
    display: flex;
    align-items: center;
    gap: 9px;
    padding: 7px 8px;
    border: 1px solid transparent;
    border-radius: var(--ww-radius);
    background: transparent;
    text-align: left;
    cursor: grab;
  }
  .item:hover {
    background: var(--ww-panel-2);
    border-color: var(--ww-border);
  }
  .item:focus-visible {
    outline: 2px solid var(--ww-accent);
  }
  .item:active {
    cursor: grabbing;
  }
  .label {
    display: flex;
    flex-direction: column;
    min-width: 0;
    flex: 1;
  }
  .resident {
    font-size: 11px;
    padding: 0 0.35em;
    border: 1px solid var(--ww-resident);
    border-radius: 3px;
    color: var(--ww-resident);
  }
  .name {
    font-size: 14px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .meta,
  .reason {
    font-size: 11.5px;
    color: var(--ww-muted);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .reason {
    color: #f3a29c;
  }
  .item.offline .name {
    color: #c9d3de;
  }
  /* City centre: a ward's heading over its cameras (docs/city.md). */
  .group-sep,
  .ward-head {
    display: flex;
    align-items: center;
    gap: 8px;
    margin-top: 8px;
    padding: 4px 8px;
    font-size: 12.5px;
    color: var(--ww-muted);
    border-top: 1px solid var(--ww-border);
  }
  .group-sep {
    text-transform: uppercase;
    letter-spacing: 0.06em;
  }
  .ward-name {
    flex: 1;
    font-weight: 600;
    color: var(--ww-text);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .ward-head.offline .ward-state {
    color: #f3a29c;
  }
  .ward-empty {
    padding: 2px 12px;
    font-size: 12px;
    color: var(--ww-muted);
  }
  .item.ward-cam {
    padding-left: 16px;
  }
  .onwall {
    color: var(--ww-accent);
    font-size: 13px;
  }
  .empty,
  .hint {
    margin: 0;
    padding: 0 4px;
    font-size: 12px;
    color: var(--ww-muted);
  }
  .hint {
    border-top: 1px solid var(--ww-border);
    padding-top: 8px;
    line-height: 1.4;
  }
  @media (max-width: 700px), (max-height: 900px) {
    .hint {
      display: none;
    }
  }
`;
