/**
 * The form look shared by the components, in one place: the controls themselves, captions stacked
 * over their fields, error text, dimmed disabled buttons, the card a dialog's form sits on and the
 * time fields of the review and export bars. Each component composes the pieces it used to copy
 * (`static styles = [theme, ...forms pieces, <own>Styles]`) and keeps only what differs (sizes,
 * gaps, margins) in its own styles, after these, so the cascade gives the same result as the copies.
 * A piece is applied only where the component had that rule, so no other component's look changes.
 */
import { css } from 'lit';

/** Text fields, selects and buttons (every panel with a form). */
export const formControls = css`
  input,
  select,
  button {
    font: inherit;
    color: var(--ww-text);
    background: var(--ww-panel-2);
    border: 1px solid var(--ww-border);
    border-radius: 4px;
    padding: 3px 8px;
    color-scheme: dark;
  }
  button {
    cursor: pointer;
  }
  button.primary {
    background: var(--ww-accent);
    border-color: var(--ww-accent);
    color: #fff;
  }
`;

/** A label that wraps its caption and its field, the caption above; `label.check`: a check box and its text in a row. */
export const stackedLabels = css`
  label {
    display: flex;
    flex-direction: column;
    gap: 3px;
    color: var(--ww-muted);
  }
  label.check {
    flex-direction: row;
    align-items: center;
  }
`;

/** The text of an error (a refused form, a failed load). */
export const errorText = css`
  .error {
    color: var(--ww-offline);
  }
`;

/** A button that cannot be used now (busy, not allowed). */
export const disabledButtons = css`
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
`;

/** The card a standalone form sits on (sign-in, password change, bookmark dialog): a column on the panel colour. */
export const formCard = css`
  form {
    display: flex;
    flex-direction: column;
    background: var(--ww-panel);
    border: 1px solid var(--ww-border);
    border-radius: var(--ww-radius);
  }
`;

/** A time field (HH:mm:ss) sized for its text, digits of equal width so it does not jitter. */
export const timeInput = css`
  input.time {
    width: 7.5em;
    font-variant-numeric: tabular-nums;
  }
`;
