import { css } from 'lit';

/** The look of <ww-default-wall> (shared looks come from styles/ and are composed in the component). */
export const wwDefaultWallStyles = css`
  :host {
    display: block;
  }
  .help {
    color: var(--ww-muted, #aaa);
    max-width: 60rem;
  }
  .row,
  .tiles {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem;
    align-items: end;
    margin: 0.5rem 0;
  }
  .tiles label,
  .row label {
    display: flex;
    flex-direction: column;
    gap: 0.2rem;
  }
  .notice.error {
    color: #ff9c9c;
  }
`;
