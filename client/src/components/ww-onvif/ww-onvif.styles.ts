import { css } from 'lit';

/** The look of <ww-onvif> (shared looks come from styles/ and are composed in the component). */
export const wwOnvifStyles = css`
  :host {
    display: block;
    margin-top: 1rem;
  }
  .help,
  .muted {
    color: var(--ww-muted, #aaa);
  }
  .help {
    max-width: 60rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem;
    align-items: end;
    margin: 0.5rem 0;
  }
  .row label {
    display: flex;
    flex-direction: column;
    gap: 0.2rem;
  }
  .devices {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  .devices > li {
    border-top: 1px solid var(--ww-border, #333);
    padding: 0.6rem 0;
  }
  .uri {
    font-family: monospace;
    word-break: break-all;
    max-width: 28rem;
  }
  .notice.error {
    color: #ff9c9c;
  }
`;
