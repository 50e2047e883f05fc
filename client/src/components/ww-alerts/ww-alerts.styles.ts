import { css } from 'lit';

/** The look of <ww-alerts> (shared looks come from styles/ and are composed in the component). */
export const wwAlertsStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    background: var(--ww-panel);
    border-top: 1px solid var(--ww-border);
    border-right: 1px solid var(--ww-border);
    font-size: 0.85rem;
    overflow: hidden;
  }
  .fold {
    padding: 0;
    border: 0;
    background: none;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  header {
    display: flex;
    align-items: center;
    gap: 0.5em;
    padding: 0.4em 0.6em;
  }
  h2 {
    margin: 0;
    font-size: 0.95rem;
  }
  h2,
  .count,
  .sound {
    white-space: nowrap;
  }
  header {
    flex-wrap: wrap;
  }
  .count {
    background: var(--ww-offline);
    color: #fff;
    border-radius: 999px;
    padding: 0 0.5em;
    font-size: 0.8rem;
  }
  .spacer {
    flex: 1;
  }
  .sound {
    display: inline-flex;
    align-items: center;
    gap: 0.25em;
    color: var(--ww-muted);
    cursor: pointer;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0 0.4em 0.4em;
    overflow: auto;
    flex: 1 1 auto;
    min-height: 0;
    display: flex;
    flex-direction: column;
    gap: 0.3em;
  }
  li {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.1em 0.5em;
    padding: 0.35em 0.5em;
    border-left: 3px solid var(--ww-offline);
    background: var(--ww-panel-2);
    border-radius: 3px;
  }
  li.acknowledged {
    border-left-color: var(--ww-connecting);
    opacity: 0.85;
  }
  .kind {
    font-weight: 600;
    color: #ffc9c5;
  }
  li.acknowledged .kind {
    color: #ffe2a6;
  }
  .link {
    justify-self: end;
    background: none;
    border: none;
    color: var(--ww-accent);
    padding: 0;
    cursor: pointer;
    text-align: right;
  }
  .when,
  .acked {
    color: var(--ww-muted);
  }
  .acked,
  .relearn {
    grid-column: 1 / -1;
  }
  .relearn {
    justify-self: start;
  }
  .none {
    margin: 0;
    padding: 0 0.6em 0.6em;
    color: var(--ww-muted);
  }
  .error {
    margin: 0 0.6em 0.4em;
  }
`;
