import { css } from 'lit';

/** The look of <ww-password> (shared looks come from styles/ and are composed in the component). */
export const wwPasswordStyles = css`
  form {
    width: min(92vw, 360px);
    gap: 10px;
    padding: 18px;
    font-size: 13px;
  }
  h2 {
    margin: 0;
    font-size: 16px;
  }
  .error {
    font-size: 12px;
  }
  .hint {
    margin: 0;
    color: var(--ww-muted);
    font-size: 12px;
  }
  .done {
    color: var(--ww-live);
  }
  .buttons {
    display: flex;
    gap: 8px;
  }
`;
