import { css } from 'lit';

/** The look of <ww-password> (shared looks come from styles/ and are composed in the component). */
export const wwPasswordStyles = css`
  form {
    width: min(92vw, 360px);
    display: flex;
    flex-direction: column;
    gap: 10px;
    padding: 18px;
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
    font-size: 13px;
  }
  h2 {
    margin: 0;
    font-size: 16px;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 3px;
    color: var(--ww-muted);
  }
  .error {
    color: var(--ww-offline);
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
