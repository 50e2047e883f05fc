/**
 * The wall on a phone viewport (390×844, touch): a 3×3 wall is shown as four tiles, the one-camera
 * layout as one, and a horizontal swipe shows the next camera, playing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, PAGE_SHIM } from '@wardwall/testing/browser';
import { assertPlaying, shownCameras } from '@wardwall/testing/tiles';

let sys: TestSystem;
let browser: Browser;
let page: Page;
let cdp: CDPSession;

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, workers: 1 });
  await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  await ctx.addInitScript(PAGE_SHIM);
  page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  cdp = await ctx.newCDPSession(page);
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

async function swipe(dx: number): Promise<void> {
  const box = (await page.locator('ww-wall').boundingBox())!;
  const y = box.y + box.height / 2;
  const x0 = box.x + box.width / 2 - dx / 2;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y }] });
  for (let i = 1; i <= 5; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + (dx * i) / 5, y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('a phone gets one or four tiles and swipes between cameras', async () => {
  await page.goto(sys.sfu.url);
  await page.waitForFunction(() => (window as unknown as { __wardwall?: unknown }).__wardwall !== undefined);
  const app = (fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => ((window as unknown as { __wardwall: { app: Record<string, (...x: unknown[]) => void> } }).__wardwall.app[f as string]!(...(a as unknown[]))), [fn, args] as const);
  await app('setLayout', '3x3');
  await waitFor('four tiles on a phone', async () => (await shownCameras(page)).length === 4);
  await app('setLayout', '1');
  await app('putCamera', 0, 'demo-1');
  await waitFor('one tile', async () => (await shownCameras(page)).join() === 'demo-1');
  await assertPlaying(page, ['demo-1'], 'phone, one tile');
  await swipe(-200); // to the left: next camera
  await waitFor('swiped to demo-2', async () => (await shownCameras(page)).join() === 'demo-2');
  await assertPlaying(page, ['demo-2'], 'after swipe');
  await swipe(200);
  await waitFor('swiped back to demo-1', async () => (await shownCameras(page)).join() === 'demo-1');
  await swipe(30); // too short: nothing happens
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await shownCameras(page)).join(), 'demo-1');
});
