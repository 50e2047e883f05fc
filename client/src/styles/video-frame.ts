import { css } from 'lit';

/**
 * The video-frame look shared by the live tile (<ww-tile>) and the recorded tile (<ww-review-tile>):
 * the black bordered box, the clipped frame layer, the camera name over the picture and the loading
 * ring. Each component adds its own sizes and overlays after this (its rules come later and win).
 */
export const videoFrame = css`
  :host {
    display: block;
    position: relative;
    min-width: 0;
    min-height: 0;
    background: #000;
    border: 1px solid var(--ww-border);
    border-radius: 3px;
    overflow: hidden;
    contain: strict;
  }
  .frame {
    position: absolute;
    inset: 0;
    overflow: hidden;
  }
  .name {
    font-weight: 600;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    text-shadow: 0 1px 2px #000;
  }
  .spinner {
    border: 2px solid rgba(255, 255, 255, 0.25);
    border-top-color: var(--ww-accent);
    border-radius: 50%;
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
`;
