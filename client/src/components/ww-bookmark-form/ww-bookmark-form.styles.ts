import { css } from 'lit';

/** The look of <ww-bookmark-form> (shared looks come from styles/ and are composed in the component). */
export const wwBookmarkFormStyles = css`
  form {
    padding: 1rem 1.25rem;
    width: min(30rem, 94vw);
    gap: 0.6rem;
    font-size: 13px;
  }
  h2 {
    margin: 0;
    font-size: 16px;
  }
  label {
    gap: 0.2rem;
  }
  .row {
    display: flex;
    gap: 0.75rem;
  }
  label.check {
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
  .buttons {
    display: flex;
    justify-content: flex-end;
    gap: 0.5rem;
  }
`;
