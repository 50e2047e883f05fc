/**
 * Small inline SVG icons (currentColor), so buttons do not depend on an emoji font: a duty-room PC
 * or kiosk without one would show empty boxes.
 */
import { svg } from 'lit';

/** A bookmark ribbon. */
export const bookmarkIcon = (size = 16) =>
  svg`<svg viewBox="0 0 24 24" width=${size} height=${size} aria-hidden="true"><path d="M6 3h12v18l-6-5-6 5z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"></path></svg>`;

/** A closed padlock (footage held). */
export const lockIcon = (size = 14) =>
  svg`<svg viewBox="0 0 24 24" width=${size} height=${size} aria-hidden="true"><rect x="5" y="11" width="14" height="10" rx="2" fill="none" stroke="currentColor" stroke-width="2"></rect><path d="M8 11V7a4 4 0 0 1 8 0v4" fill="none" stroke="currentColor" stroke-width="2"></path></svg>`;
