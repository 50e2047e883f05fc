import { css } from 'lit';

/** The look of <ww-tile> (shared looks come from styles/ and are composed in the component). */
export const wwTileStyles = css`
  :host {
    user-select: none;
    cursor: default;
    container-type: size;
  }
  :host([selected]) {
    border-color: var(--ww-accent);
    box-shadow: inset 0 0 0 2px var(--ww-accent);
  }
  :host([draggable='true']) {
    cursor: grab;
  }
  .zoom {
    position: absolute;
    inset: 0;
  }
  .meter {
    flex: none;
    width: 5px;
    height: 1.4em;
    background: rgba(0, 0, 0, 0.55);
    border-radius: 2px;
    overflow: hidden;
    display: flex;
    align-items: flex-end;
  }
  .meter > span {
    display: block;
    width: 100%;
    height: 100%;
    background: #4caf50;
    transform-origin: bottom;
    transition: transform 90ms linear;
  }
  .tool.sound,
  .tool.sound.on {
    opacity: 1;
  }
  .tool {
    flex: none;
    pointer-events: auto;
    border: none;
    background: rgba(0, 0, 0, 0.55);
    border-radius: 3px;
    height: 1.7em;
    padding: 0 0.45em;
    line-height: 1;
    cursor: pointer;
    opacity: 0;
    transition: opacity 120ms;
  }
  .tool.zoomed {
    opacity: 1;
    background: var(--ww-accent);
  }
  :host(:hover) .tool,
  :host([selected]) .tool,
  .tool:focus-visible {
    opacity: 1;
  }
  .tool:hover {
    background: var(--ww-accent);
  }
  :host([ptz]) .frame {
    cursor: crosshair;
  }
  :host([ptz]) {
    outline: 2px solid var(--ww-accent);
    outline-offset: -2px;
  }
  .tool.on {
    background: var(--ww-accent);
    color: #fff;
  }
  .ptz-panel {
    position: absolute;
    left: 0.45em;
    right: 0.45em;
    bottom: 2.2em;
    display: flex;
    gap: 0.5em;
    align-items: center;
    padding: 0.25em 0.5em;
    border-radius: 3px;
    background: rgba(0, 0, 0, 0.6);
    font-size: 12px;
    z-index: 4;
  }
  .ptz-panel .hint {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .notice {
    position: absolute;
    left: 0.45em;
    bottom: 0.4em;
    max-width: 80%;
    padding: 0.2em 0.5em;
    border-radius: 3px;
    background: rgba(20, 60, 30, 0.85);
    font-size: 12px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    z-index: 4;
  }
  .notice.error {
    background: rgba(90, 20, 20, 0.9);
  }
  video,
  canvas,
  .still,
  .still > img {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
    display: block;
  }
  video,
  canvas {
    background: #000;
  }
  .still {
    background: #000;
  }
  .frame.offline .still,
  .frame.offline canvas {
    filter: grayscale(0.85) brightness(0.55);
  }
  .frame.paused .still,
  .frame.paused canvas {
    filter: brightness(0.6);
  }
  .message {
    position: absolute;
    inset: 0;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    padding: 2.2em 1em 1em;
    text-align: center;
    color: var(--ww-muted);
    font-size: clamp(11px, 1.2vmin, 15px);
    pointer-events: none;
  }
  .message.over-picture {
    inset: auto 0 0 0;
    padding: 1.6em 1em 0.8em;
    color: var(--ww-text);
    text-shadow: 0 1px 2px #000;
    background: linear-gradient(rgba(0, 0, 0, 0), rgba(0, 0, 0, 0.75));
  }
  .message.over-picture.loading,
  .message.over-picture.waiting {
    background: none;
  }
  .message.empty {
    border: 2px dashed transparent;
  }
  .message.offline .text {
    color: var(--ww-offline);
    font-weight: 600;
    font-size: 1.15em;
  }
  .message.error .text {
    color: var(--ww-offline);
  }
  .message .detail {
    font-size: 0.9em;
    opacity: 0.85;
    max-width: 95%;
  }
  .frame.drop {
    outline: 2px dashed var(--ww-accent);
  }
  .top {
    position: absolute;
    left: 0;
    right: 0;
    top: 0;
    display: flex;
    align-items: center;
    gap: 0.45em;
    padding: 0.3em 0.45em;
    font-size: clamp(11px, 1.15vmin, 14px);
    background: linear-gradient(rgba(0, 0, 0, 0.72), rgba(0, 0, 0, 0));
    pointer-events: none;
  }
  .spacer {
    flex: 1;
  }
  .chip {
    flex: none;
    font-size: 0.8em;
    padding: 0 0.4em;
    border: 1px solid rgba(255, 255, 255, 0.35);
    border-radius: 3px;
    color: #cfd8e3;
  }
  .chip.warn {
    border-color: var(--ww-connecting);
    color: var(--ww-connecting);
  }
  .badge {
    flex: none;
    display: inline-flex;
    align-items: center;
    gap: 0.35em;
    font-size: 0.85em;
    padding: 0.05em 0.45em;
    border-radius: 3px;
    background: rgba(0, 0, 0, 0.55);
  }
  .health {
    flex: none;
    font-size: 0.85em;
    padding: 0.05em 0.45em;
    border-radius: 3px;
    background: var(--ww-offline);
    color: #fff;
    font-weight: 600;
    animation: ww-alert-pulse 1.2s ease-in-out infinite alternate;
  }
  .health.acked {
    background: rgba(0, 0, 0, 0.6);
    color: #ffc9c5;
    border: 1px solid var(--ww-offline);
    animation: none;
  }
  @keyframes ww-alert-pulse {
    from {
      opacity: 1;
    }
    to {
      opacity: 0.6;
    }
  }
  .badge.live {
    color: #bff5cf;
  }
  .badge.offline {
    color: #ffc9c5;
  }
  .badge.connecting {
    color: #ffe2a6;
  }
  .badge.held {
    color: var(--ww-muted);
  }
  .chip.resident {
    border-color: var(--ww-resident);
    color: var(--ww-resident);
  }
  .message.held .text {
    color: var(--ww-muted);
  }
  .clear {
    flex: none;
    pointer-events: auto;
    border: none;
    background: rgba(0, 0, 0, 0.55);
    border-radius: 3px;
    width: 1.7em;
    height: 1.7em;
    line-height: 1;
    cursor: pointer;
    opacity: 0;
    transition: opacity 120ms;
  }
  :host(:hover) .clear,
  :host([selected]) .clear,
  .clear:focus-visible {
    opacity: 1;
  }
  .clear:hover {
    background: var(--ww-offline);
  }
  .stats {
    position: absolute;
    left: 0.45em;
    bottom: 0.4em;
    max-width: calc(100% - 0.9em);
    padding: 0.15em 0.45em;
    font: 500 clamp(10px, 1.05vmin, 13px) / 1.35 ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    background: rgba(0, 0, 0, 0.62);
    border-radius: 3px;
    color: #e8f0f7;
    pointer-events: none;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .spinner {
    width: 1.6em;
    height: 1.6em;
  }
  /* Small tiles (4x4 on a laptop, phones): keep the name readable. */
  @container (max-width: 260px) {
    .badge .label,
    .chip {
      display: none;
    }
    .badge {
      padding: 0.3em;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
    }
  }
`;
