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

/** Two chain links (copy a link to this view). */
export const linkIcon = (size = 16) =>
  svg`<svg viewBox="0 0 24 24" width=${size} height=${size} aria-hidden="true"><path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1.2 1.2M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1.2-1.2" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"></path></svg>`;

/** A picture frame (save the frame on screen). */
export const frameIcon = (size = 14) =>
  svg`<svg viewBox="0 0 24 24" width=${size} height=${size} aria-hidden="true"><rect x="3" y="5" width="18" height="14" rx="1" fill="none" stroke="currentColor" stroke-width="2"></rect><path d="M6 16l4-5 3 3 2-2 3 4z" fill="currentColor"></path></svg>`;

/** A loudspeaker, with sound waves when on and a cross when muted. */
export const soundIcon = (on: boolean, size = 14) =>
  svg`<svg viewBox="0 0 24 24" width=${size} height=${size} aria-hidden="true"><path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor"></path>${on
    ? svg`<path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"></path>`
    : svg`<path d="M16 9l5 6M21 9l-5 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"></path>`}</svg>`;
