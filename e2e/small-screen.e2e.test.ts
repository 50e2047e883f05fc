/**
 * The wall on common laptop screens (1280×800, 1366×768) with ten open camera alerts: every camera
 * of the list can be scrolled to and clicked onto a tile (playwright's actionability checks: the
 * entry is visible, stable and receives the click, not the map or the wall over it); the mini map and
 * the alerts panel shrink, scroll or fold instead of taking the list's room. And the header keeps to
 * one row at 1600 px in Vietnamese and in English; the help overlay lists the keys of the mode it is
 * opened in (live, review, follow) and a key does what the table says. Real system: demo cameras, ten configured cameras
 * that do not exist on the RTSP endpoint (their real "offline" alerts), access control on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, TEST_ADMIN_PASSWORD, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, signInBrowser, openPage } from '@wardwall/testing/browser';

const DEAD = Array.from({ length: 10 }, (_, i) => ({ id: `dead-${i + 1}`, name: `Camera hỏng ${i + 1}`, main: `{rtsp}/absent-${i + 1}` }));

let sys: TestSystem;
let browser: Browser;
let cookie: string;

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, workers: 1, auth: true, cameras: DEAD, health: { offlineGraceMs: 500 }, logLines: [],
    // The absent cameras retry rarely: ten GStreamer restarts a second would only load the machine.
    ingest: { backoffMs: [300, 10000] } });
  cookie = await sys.signIn();
  await waitFor('ten open offline alerts', async () => {
    const r = (await (await fetch(`${sys.url}api/alerts`, { headers: { cookie } })).json()) as { alerts: { cameraId: string; kind: string; state: string }[] };
    return r.alerts.filter((a) => a.cameraId.startsWith('dead-') && a.state === 'open').length === 10;
  }, 90000, 500);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

async function openWall(width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  await signInBrowser(context, sys.url, 'admin', TEST_ADMIN_PASSWORD);
  const page = await openPage(context);
  await page.goto(sys.url);
  await page.locator('ww-camera-list [data-camera-id="demo-1"]').waitFor();
  await waitFor('ten alerts listed', async () => (await page.locator('ww-alerts li[data-state="open"]').count()) >= 10, 20000, 200);
  return page;
}

/** Boxes of the left column's parts, in page pixels. */
async function sideBoxes(page: Page) {
  return page.evaluate(() => {
    const app = document.querySelector('ww-app')!.shadowRoot!;
    const box = (el: Element | null | undefined) => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, height: r.height };
    };
    const list = app.querySelector('ww-camera-list');
    const ul = list?.shadowRoot?.querySelector('ul');
    const alertsUl = app.querySelector('ww-alerts')?.shadowRoot?.querySelector('ul');
    return {
      side: box(app.querySelector('.side')),
      list: box(list),
      ul: box(ul),
      map: box(app.querySelector('.minimap-box')),
      alerts: box(app.querySelector('ww-alerts')),
      alertsScrolls: alertsUl ? alertsUl.scrollHeight > alertsUl.clientHeight : false,
      listScrolls: ul ? ul.scrollHeight > ul.clientHeight : false,
    };
  });
}

for (const [width, height] of [
  [1280, 800],
  [1366, 768],
] as const) {
  test(`${width}×${height} with ten open alerts: every camera of the list can be clicked onto a tile`, async () => {
    const page = await openWall(width, height);
    try {
      await page.locator('[data-layout="4x4"]').first().click();
      const b = await sideBoxes(page);
      assert.ok(b.side && b.list && b.ul && b.map && b.alerts, JSON.stringify(b));
      // The list keeps a good part of the column, its entries are not covered, the others stack below it.
      assert.ok(b.list.height >= 0.4 * b.side.height, `list ${b.list.height} px of ${b.side.height}`);
      assert.ok(b.ul.height >= 100, `the list's scrolling area is ${b.ul.height} px`);
      assert.ok(b.map.top >= b.list.bottom - 1 && b.alerts.top >= b.map.bottom - 1, JSON.stringify(b));
      assert.ok(b.alerts.bottom <= b.side.bottom + 1, 'the alerts panel stays inside the column');
      assert.ok(b.alertsScrolls, 'ten alerts scroll inside their panel');

      const ids = ['demo-1', 'demo-2', ...DEAD.map((d) => d.id)];
      assert.equal(await page.locator('ww-camera-list [data-camera-id]').count(), ids.length);
      for (const id of ids) {
        // A real click: scrolled into view, and it fails if the map, the alerts or the wall would receive it.
        await page.locator(`ww-camera-list [data-camera-id="${id}"]`).click({ timeout: 60000 });
        await waitFor(`${id} on a tile`, async () => (await page.locator(`ww-wall ww-tile[camera-id="${id}"]`).count()) === 1, 5000, 100);
      }
      // Folding the map and the alerts gives the list their room.
      const before = (await sideBoxes(page)).ul!.height;
      await page.locator('.minimap-box [data-action="toggle-map"]').click();
      await page.locator('ww-alerts [data-action="fold"]').click();
      const folded = await sideBoxes(page);
      assert.ok(folded.ul!.height > before + 100, `list ${before} → ${folded.ul!.height} px`);
      assert.equal(await page.locator('ww-app ww-map').count(), 0);
      assert.equal(await page.locator('ww-alerts li').count(), 0);
      assert.match(await page.locator('ww-alerts header').innerText(), /10/, 'the folded panel still counts the alerts');
    } finally {
      await page.context().close();
    }
  });
}

test('the header keeps to one row at 1600 px, in Vietnamese and in English', async () => {
  const page = await openWall(1600, 900);
  try {
    for (const lang of ['vi', 'en']) {
      await page.locator(`ww-header [data-lang="${lang}"]`).click();
      await waitFor(`language ${lang}`, async () => (await page.evaluate(() => document.documentElement.lang)) === lang, 5000, 50);
      const rows = await page.evaluate(() => {
        const header = document.querySelector('ww-app')!.shadowRoot!.querySelector('ww-header')!.shadowRoot!.querySelector('header')!;
        const kids = [...header.children].filter((el) => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0);
        const tops = kids.map((el) => el.getBoundingClientRect());
        return { height: header.getBoundingClientRect().height, tallest: Math.max(...tops.map((r) => r.height)), bottoms: tops.map((r) => Math.round(r.bottom)), tops: tops.map((r) => Math.round(r.top)), scrollWidth: header.scrollWidth, clientWidth: header.clientWidth };
      });
      // One row: every item sits beside the others (no item starts below another's bottom), nothing is cut off.
      const firstBottom = Math.min(...rows.bottoms);
      assert.ok(rows.tops.every((t) => t < firstBottom), `${lang}: items wrap to a second row: ${JSON.stringify(rows)}`);
      assert.ok(rows.height <= rows.tallest + 24, `${lang}: header ${rows.height} px for items of ${rows.tallest} px`);
      assert.ok(rows.scrollWidth <= rows.clientWidth, `${lang}: header overflows: ${JSON.stringify(rows)}`);
    }
  } finally {
    await page.context().close();
  }
});

test('the help lists every key of the mode it is opened in, and the keys do what it says', async () => {
  const page = await openWall(1366, 768);
  try {
    const rows = async () => page.locator('ww-help tr[data-action]').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-by')}:${tr.getAttribute('data-action')}`));
    const caps = async () => page.locator('ww-help kbd').allInnerTexts();
    // Live: the wall's keys; a key works, and the help (modal) holds the wall's keys back.
    await page.locator('body').press('3');
    await waitFor('3×3 by key', async () => (await page.locator('ww-header [data-layout="3x3"]').getAttribute('aria-pressed')) === 'true', 5000, 50);
    await page.locator('body').press('?');
    await page.locator('ww-help').waitFor();
    assert.match(await page.locator('ww-help h2').innerText(), /Phím tắt · Trực tiếp/);
    for (const a of ['app:layout', 'app:fullscreen', 'app:stats', 'app:select', 'app:move', 'app:expand', 'app:clear', 'app:bookmark', 'app:bookmarkUrgent', 'app:escape', 'app:help', 'filter:pickFirst']) assert.ok((await rows()).includes(a), `live: ${a}`);
    await page.locator('body').press('2');
    assert.equal(await page.locator('ww-header [data-layout="3x3"]').getAttribute('aria-pressed'), 'true', 'a wall key does not act behind the help');
    await page.locator('body').press('Escape');
    await waitFor('help closed', async () => (await page.locator('ww-help').count()) === 0, 5000, 50);

    // Review: space , . ← → [ ] and the bookmark keys.
    await page.locator('ww-header [data-mode="review"]').click();
    await page.locator('body').press('?');
    await page.locator('ww-help').waitFor();
    assert.match(await page.locator('ww-help h2').innerText(), /Phím tắt · Xem lại/);
    assert.deepEqual(await rows(), ['review:playPause', 'review:stepBack', 'review:stepForward', 'review:jumpBack', 'review:jumpForward', 'review:slower', 'review:faster', 'review:bookmark', 'review:bookmarkUrgent', 'app:escape', 'app:help']);
    const reviewCaps = await caps();
    for (const k of ['Phím cách', ',', '.', '←', '→', '[', ']', 'B', 'Shift', 'Esc', '?']) assert.ok(reviewCaps.includes(k), `review key cap ${k}: ${reviewCaps.join(' ')}`);
    assert.ok(!reviewCaps.includes('F'), 'no live-only key in review');
    // In English too (the overlay is modal: the language changes under it).
    await page.evaluate(() => document.querySelector('ww-app')!.setLanguage('en'));
    await waitFor('english caps', async () => (await caps()).includes('Space'), 5000, 50);
    assert.match(await page.locator('ww-help h2').innerText(), /Keyboard shortcuts · Review/);
    await page.evaluate(() => document.querySelector('ww-app')!.setLanguage('vi'));
    await page.locator('body').press('Escape');

    // Follow: the arrows hop, space plays a recording.
    await page.locator('ww-header [data-mode="follow"]').click();
    await page.locator('body').press('?');
    await page.locator('ww-help').waitFor();
    assert.deepEqual(await rows(), ['follow:hop', 'follow:playPause', 'app:escape', 'app:help']);
    await page.locator('body').press('?');
    await waitFor('help closed with ?', async () => (await page.locator('ww-help').count()) === 0, 5000, 50);
  } finally {
    await page.context().close();
  }
});
