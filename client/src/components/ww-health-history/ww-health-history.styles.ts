import { css } from 'lit';

/** The look of <ww-health-history> (shared looks come from styles/ and are composed in the component). */
export const wwHealthHistoryStyles = css`
  section {
    position: fixed;
    z-index: 51;
    left: 50%;
    top: 50%;
    transform: translate(-50%, -50%);
    width: min(46rem, 94vw);
    max-height: 80vh;
    display: flex;
    flex-direction: column;
    gap: 0.6em;
    padding: 1em;
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
  }
  h2 {
    margin: 0;
    font-size: 1.05rem;
  }
  .scroll {
    overflow: auto;
    min-height: 0;
  }
  table {
    font-size: 0.85rem;
  }
  .kind {
    font-weight: 600;
  }
  .kind.open,
  .kind.acknowledged {
    color: var(--ww-offline);
  }
  .muted {
    color: var(--ww-muted);
  }
  .close {
    align-self: flex-end;
  }
`;
