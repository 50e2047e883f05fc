import { css } from 'lit';

/** The look of <ww-bookmarks> (shared looks come from styles/ and are composed in the component). */
export const wwBookmarksStyles = css`
  :host {
    display: block;
    font-size: 13px;
  }
  aside {
    height: 100%;
    overflow: auto;
    background: var(--ww-panel);
    border-left: 1px solid var(--ww-border);
    padding: 0.6rem;
    box-sizing: border-box;
    display: flex;
    flex-direction: column;
    gap: 0.5rem;
  }
  header {
    display: flex;
    justify-content: space-between;
    gap: 0.5rem;
  }
  .tabs button[aria-selected='true'] {
    border-color: var(--ww-accent);
    color: var(--ww-text);
  }
  .status {
    color: var(--ww-muted);
  }
  .offline,
  .badge.bad {
    color: var(--ww-offline);
  }
  .badge.pending {
    color: var(--ww-connecting);
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 0.35rem;
  }
  .filters label {
    color: var(--ww-muted);
  }
  .filters input[type='text'],
  .filters input[type='search'] {
    width: 8rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .list > li {
    border-bottom: 1px solid var(--ww-border);
    padding: 0.45rem 0;
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }
  button.link {
    background: none;
    border: 0;
    padding: 0;
    text-align: left;
    color: var(--ww-text);
    cursor: pointer;
    display: flex;
    flex-direction: column;
  }
  button.link:hover .title {
    text-decoration: underline;
  }
  .title {
    font-weight: 600;
  }
  .when,
  .author,
  .note {
    color: var(--ww-muted);
    font-variant-numeric: tabular-nums;
  }
  .meta,
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.35rem;
    align-items: center;
  }
  .cam,
  .tag {
    background: var(--ww-panel-2);
    border-radius: 3px;
    padding: 0 0.3rem;
  }
  .edit {
    display: flex;
    flex-direction: column;
    gap: 0.3rem;
  }
  .when-edit {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .when-edit label {
    display: flex;
    align-items: center;
    gap: 0.25rem;
  }
  .when-edit .time {
    width: 8.5rem;
    font-variant-numeric: tabular-nums;
  }
  .cams {
    display: flex;
    flex-wrap: wrap;
    gap: 0.2rem 0.7rem;
    margin: 0;
    border: 1px solid var(--ww-border);
    border-radius: 4px;
  }
  li.urgent {
    border-left: 3px solid var(--ww-offline);
  }
  .badge.urgent {
    background: var(--ww-offline);
    color: #fff;
    border-radius: 3px;
    padding: 0 0.3rem;
    font-weight: 600;
  }
  .members {
    padding-left: 0.6rem;
  }
  .new {
    display: flex;
    gap: 0.4rem;
  }
  .new input {
    flex: 1;
  }
  .empty {
    color: var(--ww-muted);
  }
`;
