import { css } from 'lit';

/** The look of <ww-admin-cameras> (shared looks come from styles/ and are composed in the component). */
export const wwAdminCamerasStyles = css`
      :host { display: block; margin-bottom: 1.5em; }
      .row, .buttons { display: flex; gap: 0.6em; align-items: center; flex-wrap: wrap; margin: 0.5em 0; }
      .form { display: grid; gap: 0.5em; max-width: 46em; padding: 0.8em; border: 1px solid var(--ww-border); border-radius: 6px; margin: 0.6em 0; }
      .form label { display: grid; gap: 0.2em; }
      .form label.check { display: flex; gap: 0.4em; align-items: center; }
      .help, .muted { opacity: 0.75; font-size: 0.9em; }
      .url { font-family: monospace; font-size: 0.85em; word-break: break-all; }
      .actions { white-space: nowrap; }
      .test { display: flex; gap: 1em; align-items: flex-start; flex-wrap: wrap; }
      .test dl { display: grid; grid-template-columns: auto 1fr; gap: 0.2em 0.8em; margin: 0; }
      .test dt { opacity: 0.75; }
      .test dd { margin: 0; }
      .test img { max-width: 320px; border-radius: 4px; }
      .backdrop .box { background: var(--ww-panel); padding: 1em; border-radius: 6px; max-width: 30em; }
`;
