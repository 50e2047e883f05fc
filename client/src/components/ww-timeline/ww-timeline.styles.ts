import { css } from 'lit';

/** The look of <ww-timeline> (shared looks come from styles/ and are composed in the component). */
export const wwTimelineStyles = css`
  :host {
    display: block;
    font-size: 12px;
  }
  .wrap {
    position: relative;
    --label: 8rem;
  }
  .axis,
  .row {
    display: grid;
    grid-template-columns: var(--label) 1fr;
    align-items: center;
  }
  .tracks {
    position: relative;
    height: 18px;
  }
  .mark {
    position: absolute;
    top: 0;
    bottom: 0;
    min-width: 3px;
    background: rgba(255, 196, 0, 0.55);
    border-left: 2px solid #ffc400;
    cursor: pointer;
    z-index: 2;
  }
  .mark.pending {
    border-left-style: dashed;
  }
  .mark.urgent {
    background: rgba(255, 70, 70, 0.55);
    border-left-color: #ff4646;
  }
  .tick {
    position: absolute;
    top: 0;
    transform: translateX(-50%);
    color: var(--ww-muted);
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .label {
    padding-right: 0.6em;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    color: var(--ww-muted);
  }
  .track {
    position: relative;
    height: 20px;
    margin: 2px 0;
    background: var(--ww-panel-2);
    border-radius: 3px;
    cursor: pointer;
    touch-action: none;
  }
  .span,
  .gap {
    position: absolute;
    top: 0;
    bottom: 0;
  }
  .span {
    background: color-mix(in srgb, var(--ww-live) 70%, transparent);
    border-radius: 2px;
  }
  .outage {
    position: absolute;
    bottom: 0;
    height: 35%;
    background: var(--ww-offline);
    opacity: 0.85;
    border-radius: 1px;
  }
  .gap {
    background: repeating-linear-gradient(135deg, rgba(240, 82, 74, 0.25) 0 4px, transparent 4px 8px);
  }
  .failed {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    padding-left: 0.5em;
    color: var(--ww-offline);
  }
  .cursor {
    position: absolute;
    top: 0;
    bottom: 0;
    left: calc(var(--label) + var(--x));
    width: 2px;
    background: var(--ww-accent);
    pointer-events: none;
  }
  .hover {
    position: absolute;
    bottom: 24px;
    transform: translateX(-50%);
    z-index: 2;
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 2px;
    padding: 3px;
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: 4px;
    pointer-events: none;
  }
  .hover img {
    width: 160px;
    height: 90px;
    object-fit: contain;
    background: #000;
  }
  .hover .none {
    display: grid;
    place-items: center;
    width: 160px;
    height: 90px;
    background: #000;
    color: var(--ww-muted, #aaa);
  }
`;
