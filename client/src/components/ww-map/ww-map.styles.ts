import { css } from 'lit';

/** The look of <ww-map> (shared looks come from styles/ and are composed in the component). */
export const wwMapStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    align-items: center;
    min-height: 0;
    min-width: 0;
    overflow: hidden;
  }
  /* The map takes the height left by the unplaced cameras' line (a square as large as fits). */
  .map {
    position: relative;
    aspect-ratio: 1;
    flex: 1 1 0;
    max-width: 100%;
    min-height: 0;
  }
  svg {
    display: block;
    width: 100%;
    height: 100%;
    user-select: none;
  }
  /* City centre: a ward's map placed on the city map. */
  .ward-area rect {
    fill: rgba(120, 160, 220, 0.06);
    stroke: rgba(150, 185, 235, 0.55);
    stroke-width: 3;
    stroke-dasharray: 12 6;
  }
  .ward-area.offline rect {
    fill: rgba(230, 90, 80, 0.08);
    stroke: var(--ww-offline);
  }
  .ward-label {
    font: 600 26px system-ui, sans-serif;
    fill: #c9d6e6;
    pointer-events: none;
  }
  .cam {
    cursor: pointer;
    outline: none;
  }
  .wedge {
    fill: var(--ww-live);
    fill-opacity: 0.22;
    stroke: var(--ww-live);
    stroke-opacity: 0.6;
    stroke-width: 2;
  }
  .dot {
    fill: var(--ww-live);
    stroke: #0a0e13;
    stroke-width: 4;
  }
  .cam.connecting .dot,
  .cam.connecting .wedge {
    fill: var(--ww-connecting);
    stroke: var(--ww-connecting);
  }
  .cam.offline .dot,
  .cam.offline .wedge {
    fill: var(--ww-offline);
    stroke: var(--ww-offline);
  }
  .cam.resident .dot {
    stroke-dasharray: 5 3;
  }
  .resident-mark {
    text-anchor: middle;
    font: 700 16px system-ui, sans-serif;
    fill: #0b1220;
    pointer-events: none;
  }
  .alert circle {
    fill: #e5484d;
    stroke: #fff;
    stroke-width: 2;
  }
  .alert.acked circle {
    fill: #b8860b;
  }
  .alert text {
    text-anchor: middle;
    font: 700 14px system-ui, sans-serif;
    fill: #fff;
    pointer-events: none;
  }
  .cam.neighbour .dot {
    stroke: var(--ww-accent);
    stroke-width: 6;
  }
  .cam.centre .dot {
    stroke: #fff;
    stroke-width: 7;
    r: 20;
  }
  .cam:hover .dot,
  .cam:focus-visible .dot {
    stroke: #fff;
  }
  .label {
    fill: var(--ww-text);
    font: 600 22px var(--ww-font);
    text-anchor: middle;
    paint-order: stroke;
    stroke: #0a0e13;
    stroke-width: 5px;
  }
  .trail {
    fill: none;
    stroke: #f5c542;
    stroke-width: 9;
    stroke-linejoin: round;
    stroke-dasharray: 22 10;
    opacity: 0.9;
  }
  .hop {
    fill: #f5c542;
  }
  .hop-n {
    fill: #111;
    font: 700 17px var(--ww-font);
    text-anchor: middle;
  }
  .still {
    position: absolute;
    margin: 0;
    width: min(240px, 45%);
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
    overflow: hidden;
    pointer-events: none;
    box-shadow: 0 4px 16px #000a;
  }
  .still img {
    display: block;
    width: 100%;
    aspect-ratio: 16 / 9;
    object-fit: cover;
    background: #000;
  }
  figcaption {
    font-size: 12px;
    padding: 3px 6px;
  }
  .unplaced {
    flex: 0 0 auto;
    align-self: stretch;
    /* Many cameras without a place: a scrolling strip, never the map's whole room. */
    max-height: 3.4em;
    overflow-y: auto;
    font-size: 12px;
    color: var(--ww-muted);
    padding: 4px;
  }
  .unplaced button {
    font: inherit;
    margin: 0 2px;
  }
`;
