import { css } from 'lit';

/** The look of <ww-watermark> (shared looks come from styles/ and are composed in the component). */
export const wwWatermarkStyles = css`
  :host {
    position: absolute;
    inset: 0;
    overflow: hidden;
    pointer-events: none;
    user-select: none;
    z-index: 2;
    contain: strict;
  }
  canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  :host([compact]),
  :host([corner]) {
    inset: auto auto 1.9em 0.4em;
    max-width: calc(100% - 0.8em);
    contain: content;
  }
  .line {
    display: block;
    padding: 0.1em 0.4em;
    font: 600 12px/1.3 system-ui, sans-serif;
    color: rgba(255, 255, 255, 0.85);
    background: rgba(0, 0, 0, 0.35);
    border-radius: 3px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
`;
