import { css } from 'lit';

/** The look of <ww-replay> (shared looks come from styles/ and are composed in the component). */
export const wwReplayStyles = css`
  :host {
    position: absolute;
    inset: 0;
    z-index: 3;
    display: block;
    background: #000;
  }
  ww-review-tile {
    position: absolute;
    inset: 0;
    border: 0;
  }
  .bar {
    position: absolute;
    left: 50%;
    bottom: 0.4em;
    transform: translateX(-50%);
    display: flex;
    gap: 0.6em;
    align-items: center;
    padding: 0.2em 0.3em 0.2em 0.7em;
    border-radius: 4px;
    background: rgba(224, 165, 38, 0.9);
    color: #111;
    font-size: 12px;
    font-weight: 600;
    white-space: nowrap;
  }
  button {
    border: 0;
    border-radius: 3px;
    padding: 0.2em 0.6em;
    background: #111;
    color: #fff;
    cursor: pointer;
  }
`;
