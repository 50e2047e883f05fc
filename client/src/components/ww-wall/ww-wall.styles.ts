import { css } from 'lit';

/** The look of <ww-wall> (shared looks come from styles/ and are composed in the component). */
export const wwWallStyles = css`
  :host {
    display: block;
    position: relative;
    min-width: 0;
    min-height: 0;
    background: #000;
  }
  :host(:fullscreen) {
    width: 100vw;
    height: 100vh;
  }
  .grid {
    position: absolute;
    inset: 0;
    display: grid;
    gap: 3px;
    padding: 3px;
  }
`;
