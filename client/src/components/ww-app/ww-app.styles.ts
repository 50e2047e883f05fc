import { css } from 'lit';

/** The look of <ww-app> (shared looks come from styles/ and are composed in the component). */
export const wwAppStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100vh;
    height: 100dvh;
    background: var(--ww-bg);
    overflow: hidden;
  }
  main {
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: minmax(200px, 17rem) minmax(0, 1fr);
  }
  ww-wall {
    min-height: 0;
  }
  ww-review,
  .page {
    flex: 1;
    min-height: 0;
  }
  ww-bookmarks.drawer {
    position: fixed;
    top: 3rem;
    right: 0;
    bottom: 0;
    width: min(30rem, 100vw);
    z-index: 20;
    box-shadow: -4px 0 16px rgba(0, 0, 0, 0.4);
  }
  ww-follow {
    flex: 1;
    min-height: 0;
  }
  /*
   * The left column: the camera list keeps at least about half the column (every camera can be
   * scrolled to and clicked on a laptop's 768-800 px); the mini map and the alerts panel shrink
   * and scroll (or fold away) inside what is left, never over the list.
   */
  .side {
    display: flex;
    flex-direction: column;
    min-height: 0;
    overflow: hidden;
  }
  .side ww-camera-list {
    flex: 1 1 0;
    min-height: min(100%, max(14rem, 45%));
  }
  .minimap-box {
    flex: 0 1 auto;
    min-height: 0;
    display: flex;
    flex-direction: column;
    overflow: hidden;
    background: var(--ww-panel);
    border-top: 1px solid var(--ww-border);
    border-right: 1px solid var(--ww-border);
  }
  .fold {
    flex: 0 0 auto;
    padding: 3px 10px;
    border: 0;
    background: none;
    color: var(--ww-muted);
    font-size: 12px;
    text-align: left;
    cursor: pointer;
  }
  .fold:hover {
    color: var(--ww-text);
  }
  .minimap {
    flex: 0 1 auto;
    height: min(16rem, 30vh);
    min-height: 0;
  }
  .side ww-alerts {
    flex: 0 1 auto;
    min-height: 2.4rem;
    max-height: 40%;
  }
  ww-displays {
    flex: 1;
    min-height: 0;
  }
  .urgent-notice {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem;
    padding: 4px 12px;
    background: #5a1d1d;
    color: #ffd9d9;
    font-size: 0.9rem;
  }
  .link-notice {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem;
    padding: 6px 12px;
    background: #1d3a5a;
    color: #d9ecff;
    font-size: 0.95rem;
  }
  .link-notice.refusal {
    background: #5a1d1d;
    color: #ffd9d9;
    font-weight: 600;
  }
  .link-notice input {
    flex: 1;
    min-width: 16rem;
    font: inherit;
  }
  .link-poor {
    padding: 3px 12px;
    background: #4a3a10;
    color: #ffe7a6;
    font-size: 0.85rem;
  }
  .kiosk {
    position: relative;
    flex: 1;
    min-height: 0;
    display: flex;
    cursor: none;
  }
  .kiosk ww-wall {
    flex: 1;
  }
  .display-info {
    position: absolute;
    left: 8px;
    bottom: 8px;
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 4px 10px;
    border-radius: var(--ww-radius);
    background: rgba(0, 0, 0, 0.6);
    font-size: 0.9rem;
    pointer-events: none;
  }
  @media (max-width: 700px) {
    main {
      grid-template-columns: 1fr;
      grid-template-rows: minmax(0, 35%) minmax(0, 1fr);
    }
    .side {
      border-right: 0;
      border-bottom: 1px solid var(--ww-border);
    }
  }
`;
