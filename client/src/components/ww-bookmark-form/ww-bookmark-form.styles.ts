import { css } from 'lit';

/** The look of <ww-bookmark-form> (shared looks come from styles/ and are composed in the component). */
export const wwBookmarkFormStyles = css`
  form {
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
    padding: 1rem 1.25rem;
    width: min(30rem, 94vw);
    display: flex;
    flex-direction: column;
    gap: 0.6rem;
    font-size: 13px;
  }
  h2 {
    margin: 0;
    font-size: 16px;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 0.2rem;
    color: var(--ww-muted);
  }
  .row {
    display: flex;
    gap: 0.75rem;
  }
  label.check {
    flex-direction: row;
    align-items: center;
    gap: 0.4rem;
    color: var(--ww-text);
  }
  .hint {
    color: var(--ww-muted);
    font-size: 12px;
  }
  .meta,
  .tz {
    color: var(--ww-muted);
  }
  .time {
    width: 9rem;
    font-variant-numeric: tabular-nums;
  }
  .error {
    color: var(--ww-offline);
  }
  .buttons {
    display: flex;
    justify-content: flex-end;
    gap: 0.5rem;
  }
`;
