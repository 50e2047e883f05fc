/** Debian's Chromium driven by playwright-core, with the flags this machine needs. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { signIn } from './system.js';
import { decodeStrip, decodeStripFromRgba, STRIP_BITS, STRIP_CELLS, stripHeight } from '@wardwall/common';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/**
 * tsx compiles this project with esbuild's keepNames, which wraps functions in `__name(...)`;
 * functions passed to page.evaluate carry that call into the page, so pages need the helper too.
 */
export const PAGE_SHIM = 'window.__name = (f) => f;';

/**
 * A new page (in the browser's default context, or in `on` when given: a signed-in context) with the
 * shim and its page errors on the test's output.
 */
export async function openPage(on: Browser | BrowserContext, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await on.newPage();
  if (viewport) await page.setViewportSize(viewport);
  await page.addInitScript(PAGE_SHIM);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return page;
}

/**
 * Page-side tools for tests and benchmarks that read the demo cameras' timestamp strip from rendered
 * frames: the shim above, the strip decoder (the very code of common/timestrip.ts) and a query that
 * pierces shadow roots. Defines `decodeStripFromRgba`, `stripHeight` and `deepAll` in page scope.
 */
export const PAGE_STRIP_TOOLS = `
  ${PAGE_SHIM}
  const STRIP_CELLS = ${STRIP_CELLS}, STRIP_BITS = ${STRIP_BITS}, MODULUS = 2 ** ${STRIP_BITS};
  const decodeStrip = ${decodeStrip.toString()};
  const decodeStripFromRgba = ${decodeStripFromRgba.toString()};
  const stripHeight = ${stripHeight.toString()};
  function deepAll(sel, root = document) {
    const out = [...root.querySelectorAll(sel)];
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) out.push(...deepAll(sel, el.shadowRoot));
    return out;
  }
`;

/**
 * Signs a Chromium context in to the wall at `baseUrl` (logs in over HTTP, then sets the HttpOnly
 * session cookie in the context), so pages opened afterwards are signed in. Returns the Cookie
 * header value for Node-side requests of the same session.
 */
export async function signInBrowser(context: BrowserContext, baseUrl: string, username: string, password: string): Promise<string> {
  const cookie = await signIn(baseUrl, username, password);
  const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
  const url = new URL(baseUrl);
  await context.addCookies([{ name, value, domain: url.hostname, path: '/', httpOnly: true, sameSite: 'Strict', secure: url.protocol === 'https:' }]);
  return cookie;
}

/**
 * Headless Chromium answers the File System Access API's save dialog with AbortError (as if the
 * user cancelled). This init script answers it with a file of the origin-private file system instead
 * (a real on-disk writable), so the wall's save-while-verifying path runs as it does for a user.
 * The name asked for is kept in `window.__picked`.
 */
export const OPFS_SAVE_PICKER = `${PAGE_SHIM}
  window.showSaveFilePicker = async (opts) => {
    const root = await navigator.storage.getDirectory();
    window.__picked = opts.suggestedName;
    return root.getFileHandle(opts.suggestedName, { create: true });
  };`;
