import { css } from 'lit';

/** The look of <ww-login> (shared looks come from styles/ and are composed in the component). */
export const wwLoginStyles = css`
  :host {
    display: grid;
    place-items: center;
    min-height: 100vh;
    min-height: 100dvh;
    background: var(--ww-bg);
    padding: 16px;
  }
  form {
    width: min(100%, 360px);
    gap: 12px;
    padding: 24px;
  }
  .brand {
    display: flex;
    gap: 12px;
    align-items: center;
    color: var(--ww-accent);
  }
  h1 {
    margin: 0;
    font-size: 18px;
    color: var(--ww-text);
  }
  .brand p {
    margin: 2px 0 0;
    color: var(--ww-muted);
    font-size: 13px;
  }
  label {
    gap: 4px;
    font-size: 13px;
  }
  input {
    padding: 8px 10px;
    font-size: 15px;
  }
  button.primary {
    padding: 8px;
    font-size: 15px;
    font-weight: 600;
  }
  button:disabled {
    opacity: 0.6;
  }
  .error {
    margin: 0;
    font-size: 13px;
  }
  .notice {
    margin: 0;
    padding: 6px 8px;
    border-radius: 4px;
    background: var(--ww-panel-2);
    color: var(--ww-connecting);
    font-size: 13px;
  }
  .lang {
    display: flex;
    gap: 6px;
    justify-content: center;
  }
  .lang button {
    background: transparent;
    border-color: transparent;
    color: var(--ww-muted);
  }
  .lang button.active {
    color: var(--ww-text);
    border-color: var(--ww-border);
  }
`;
