import { css } from 'lit';

/** The look of <ww-review-tile> (shared looks come from styles/ and are composed in the component). */
export const wwReviewTileStyles = css`
  .zoom,
  video,
  canvas.hold {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  canvas.hold[hidden] {
    display: none;
  }
  video,
  canvas.hold {
    object-fit: contain;
    background: #000;
    display: block;
  }
  .top {
    position: absolute;
    inset: 0 0 auto 0;
    display: flex;
    align-items: center;
    gap: 0.4em;
    padding: 0.3em 0.45em;
    font-size: 13px;
    background: linear-gradient(rgba(0, 0, 0, 0.72), rgba(0, 0, 0, 0));
  }
  .spacer {
    flex: 1;
  }
  .act,
  .chip {
    border: 0;
    border-radius: 3px;
    background: rgba(0, 0, 0, 0.55);
    cursor: pointer;
    padding: 0.2em 0.4em;
    display: inline-flex;
    align-items: center;
  }
  .act:hover,
  .chip:hover {
    background: var(--ww-accent);
  }
  .when {
    position: absolute;
    right: 0.45em;
    bottom: 0.4em;
    padding: 0.1em 0.4em;
    border-radius: 3px;
    background: rgba(0, 0, 0, 0.62);
    font: 600 13px ui-monospace, Menlo, Consolas, monospace;
    pointer-events: none;
  }
  .message {
    position: absolute;
    inset: 0;
    display: flex;
    gap: 0.5em;
    align-items: center;
    justify-content: center;
    color: var(--ww-muted);
    font-size: 13px;
    pointer-events: none;
    text-align: center;
    padding: 1em;
  }
  .message.gap {
    background: repeating-linear-gradient(135deg, rgba(255, 255, 255, 0.04) 0 8px, transparent 8px 16px);
    color: var(--ww-connecting);
  }
  .message.error {
    color: var(--ww-offline);
  }
  .notice {
    position: absolute;
    left: 0.45em;
    bottom: 0.4em;
    max-width: 70%;
    padding: 0.2em 0.5em;
    border-radius: 3px;
    background: rgba(20, 60, 30, 0.85);
    font-size: 12px;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .notice.error {
    background: rgba(90, 20, 20, 0.9);
  }
  .spinner {
    width: 1.3em;
    height: 1.3em;
  }
`;
