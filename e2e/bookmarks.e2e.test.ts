/**
 * Bookmarks in Chromium on the real system (SFU + demo cameras + recorder), two browser contexts
 * (two operators): create while offline (context.setOffline), reload while offline with the server
 * unreachable (the page from the app-shell worker, still there, marked unsynced), back online → it reaches the server and appears in the
 * other context without a reload; concurrent edits with one context offline merge per field
 * (last writer by server time); a deletion syncs as a tombstone; the IndexedDB upgrade from the
 * first schema keeps the wall's data; choosing a bookmark opens review there, with its mark on the
 * timeline.
 */
import { after, before, test } from 'node:test';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Bookmark } from '@wardwall/common';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, OPFS_SAVE_PICKER, PAGE_SHIM } from '@wardwall/testing/browser';
import { hcmDateInput, hcmTimeText } from '@wardwall/client/core/hcm-time';

let sys: TestSystem;
let browser: Browser;
let ctxA: BrowserContext;
let ctxB: BrowserContext;
let pageA: Page;
let pageB: Page;
/**
 * Context A reaches the SFU through this TCP relay; while `unreachableA` is true it refuses every
 * connection (the server cannot be reached at all, whatever the browser's offline emulation covers).
 */
let unreachableA = false;
let relay: Server;
let relayUrl = '';
const relayed = new Set<Socket>();

function startRelay(target: number): Promise<void> {
  relay = createServer((client) => {
    if (unreachableA) return void client.destroy();
    client.once('data', (first) => {
      const up = createConnection({ host: '127.0.0.1', port: target }, () => {
        up.write(first);
        client.pipe(up).pipe(client);
      });
      relayed.add(client);
      client.on('close', () => (relayed.delete(client), up.destroy()));
      up.on('close', () => client.destroy());
      up.on('error', () => client.destroy());
    });
    client.on('error', () => undefined);
  });
  return new Promise((r) => relay.listen(0, '127.0.0.1', () => ((relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/`), r())));
}
let bookmarkId = '';

async function openPage(ctx: BrowserContext, url: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.addInitScript(PAGE_SHIM);
  await page.addInitScript(OPFS_SAVE_PICKER);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  if (process.env.BOOKMARKS_E2E_CONSOLE) page.on('console', (m) => console.log(`[${url === relayUrl ? 'A' : 'B'} ${new Date().toISOString().slice(11, 23)}] ${m.type()} ${m.text().slice(0, 200)}`));
  await page.goto(url);
  await waitFor('app services', () => page.evaluate(() => !!window.__wardwall?.bookmarks));
  return page;
}

const connected = (page: Page) => page.evaluate(() => window.__wardwall!.signaling.connected);
const local = (page: Page, id: string) => page.evaluate((i) => window.__wardwall!.bookmarks.bookmark(i) ?? null, id);
/** Connection, sync status and the local record of a page, for failure messages. */
const diag = (page: Page, id: string) => page.evaluate((i) => ({ state: window.__wardwall!.signaling.state, status: window.__wardwall!.bookmarks.status, local: window.__wardwall!.bookmarks.bookmark(i) }), id);
async function explain<T>(p: Promise<T>, pages: Page[]): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const info = await Promise.all(pages.map((pg) => diag(pg, bookmarkId)));
    throw new Error(`${(e as Error).message}: ${JSON.stringify(info)}`, { cause: e });
  }
}
const serverList = async (): Promise<Bookmark[]> => ((await (await fetch(new URL('/api/bookmarks', sys.sfu.url))).json()) as { bookmarks: Bookmark[] }).bookmarks;

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, recorder: true });
  await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  browser = await launchChromium();
  ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  ctxB = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await startRelay(sys.sfu.port);
  pageA = await openPage(ctxA, relayUrl);
  pageB = await openPage(ctxB, sys.sfu.url);
});
after(async () => {
  for (const c of relayed) c.destroy();
  relay?.close();
  await browser?.close();
  await sys?.close();
});

test('offline: created locally, survives a reload unsynced, syncs when online and reaches the other operator live', { timeout: 120_000 }, async () => {
  await pageA.locator('ww-camera-list [data-camera-id="demo-1"]').first().click();
  await waitFor('tile playing', async () => Number(await pageA.locator('ww-tile[data-index="0"]').getAttribute('frames')) > 5, 30000, 200);

  await ctxA.setOffline(true);
  const t0 = Date.now();
  await waitFor('signaling lost while offline', async () => !(await connected(pageA)), 30000, 200);
  console.log(`signaling lost ${Date.now() - t0} ms after going offline`);
  const before = Date.now();
  // Shift+click (as Shift+B) asks for an urgent bookmark: the box starts ticked (left unticked here).
  await pageA.locator('ww-tile[data-index="0"] [data-action="bookmark"]').click({ modifiers: ['Shift'] });
  assert.equal(await pageA.locator('ww-bookmark-form [data-field="urgent"]').isChecked(), true);
  await pageA.locator('ww-bookmark-form [data-field="urgent"]').uncheck();
  await pageA.locator('ww-bookmark-form [data-field="title"]').fill('Người lạ ở cổng chùa');
  await pageA.locator('ww-bookmark-form [data-field="note"]').fill('Áo khoác đen, đi xe máy');
  await pageA.locator('ww-bookmark-form [data-field="tags"]').fill('trộm, xe máy');
  await pageA.locator('ww-bookmark-form [data-action="save"]').click();
  await pageA.locator('[data-action="bookmarks"]').click();
  const row = pageA.locator('ww-bookmarks li[data-bookmark-id]');
  await waitFor('bookmark listed', async () => (await row.count()) === 1);
  bookmarkId = (await row.getAttribute('data-bookmark-id'))!;
  assert.equal(await row.getAttribute('data-sync'), 'pending');
  const made = (await local(pageA, bookmarkId))!;
  assert.deepEqual(made.cameras, ['demo-1']);
  assert.deepEqual(made.tags, ['trộm', 'xe máy']);
  assert.equal(made.startMs, made.endMs);
  assert.ok(made.startMs <= before + 1000 && made.startMs > before - 10_000, 'the instant of the frame on screen');
  assert.match(await pageA.locator('ww-bookmarks .status').innerText(), /1/);

  // Reload while offline, the server unreachable (every connection refused): the page comes from
  // the app-shell worker's cache, the wall from the saved sign-in, the bookmark from IndexedDB.
  await waitFor('app shell cached', () => pageA.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return !!reg?.active && (await caches.keys()).some((k) => k.startsWith('wardwall-shell-'));
  }), 20000, 200);
  unreachableA = true;
  for (const c of relayed) c.destroy();
  await pageA.reload();
  await waitFor('app services after an offline reload', () => pageA.evaluate(() => !!window.__wardwall?.bookmarks), 20000, 200);
  await pageA.evaluate(() => window.__wardwall!.bookmarks.ready);
  assert.equal(await pageA.locator('ww-app [data-offline-start]').count(), 1, 'the wall says it started without the server');
  assert.equal(await pageA.evaluate(() => window.__wardwall!.signaling.connected), false);
  const reloaded = await local(pageA, bookmarkId);
  assert.equal(reloaded?.title, 'Người lạ ở cổng chùa');
  assert.equal(reloaded?.sync, 'pending');
  await pageA.locator('[data-action="bookmarks"]').click();
  assert.equal(await pageA.locator(`ww-bookmarks li[data-bookmark-id="${bookmarkId}"]`).getAttribute('data-sync'), 'pending');
  assert.ok(!(await serverList()).some((b) => b.id === bookmarkId), 'not on the server yet');

  // Online: it reaches the server and the other operator, who does not reload.
  unreachableA = false;
  await ctxA.setOffline(false);
  await pageA.evaluate(() => window.__wardwall!.signaling.retryNow());
  await waitFor('on the server', async () => (await serverList()).some((b) => b.id === bookmarkId), 30000, 200);
  await waitFor('synced mark', async () => (await pageA.locator(`ww-bookmarks li[data-bookmark-id="${bookmarkId}"]`).getAttribute('data-sync')) === 'synced', 10000, 100);
  await waitFor('live in context B', async () => (await local(pageB, bookmarkId))?.title === 'Người lạ ở cổng chùa', 10000, 100);
  const inB = (await local(pageB, bookmarkId))!;
  assert.equal(inB.author, 'local');
  assert.equal(inB.sync, 'synced');
});

test('concurrent edits with one operator offline merge per field, last writer by server time', { timeout: 60_000 }, async () => {
  try {
    await concurrentEdits();
  } finally {
    await ctxA.setOffline(false);
  }
});

async function concurrentEdits(): Promise<void> {
  await ctxA.setOffline(true);
  await waitFor('A offline', async () => !(await connected(pageA)), 30000, 200);
  // A edits title and note offline first; B edits the title later, online.
  // A edits in the drawer's form.
  const rowA = pageA.locator(`ww-bookmarks li[data-bookmark-id="${bookmarkId}"]`);
  await rowA.locator('[data-action="edit"]').click();
  await rowA.locator('[data-field="edit-title"]').fill('A: tiêu đề');
  await rowA.locator('[data-field="edit-note"]').fill('A: ghi chú');
  await rowA.locator('[data-action="save-edit"]').click();
  await waitFor('A edited locally', async () => (await local(pageA, bookmarkId))?.note === 'A: ghi chú', 5000, 50);
  await new Promise((r) => setTimeout(r, 50));
  await pageB.evaluate((id) => window.__wardwall!.bookmarks.updateBookmark(id, { title: 'B: tiêu đề' }), bookmarkId);
  await explain(waitFor('B on the server', async () => (await serverList()).find((b) => b.id === bookmarkId)?.title === 'B: tiêu đề', 10000, 100), [pageB]);
  assert.equal((await local(pageA, bookmarkId))?.sync, 'pending');
  await ctxA.setOffline(false);
  await pageA.evaluate(() => window.__wardwall!.signaling.retryNow());
  const merged = await waitFor('A synced', async () => {
    const b = (await serverList()).find((x) => x.id === bookmarkId);
    return b?.note === 'A: ghi chú' ? b : false;
  }, 60000, 200).catch(async (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(await diag(pageA, bookmarkId))}`);
  });
  assert.equal(merged.title, 'B: tiêu đề', 'the later title (B) wins');
  assert.equal(merged.note, 'A: ghi chú', 'the note only A edited is kept');
  await waitFor('both contexts converge', async () => {
    const [a, b] = [await local(pageA, bookmarkId), await local(pageB, bookmarkId)];
    return a?.title === 'B: tiêu đề' && a.note === 'A: ghi chú' && a.sync === 'synced' && b?.title === 'B: tiêu đề' && b.note === 'A: ghi chú';
  }, 10000, 100);
}

test('choosing a bookmark opens review on its camera at its moment, marked on the timeline', { timeout: 60_000 }, async () => {
  const b = (await local(pageA, bookmarkId))!;
  await pageA.locator(`ww-bookmarks li[data-bookmark-id="${bookmarkId}"] [data-action="open"]`).click();
  await waitFor('review open', async () => (await pageA.locator('ww-review ww-review-tile').count()) === 1, 10000, 100);
  const pos = Number(await pageA.locator('ww-review [data-position]').getAttribute('data-position'));
  assert.ok(Math.abs(pos - b.startMs) < 2000, `review at the bookmark (${pos - b.startMs} ms)`);
  await waitFor('mark on the timeline', async () => (await pageA.locator(`ww-timeline [data-bookmark-mark="${bookmarkId}"]`).count()) === 1, 10000, 100);
});

test('editing in the panel: cameras, window and urgency; only the changed fields are sent; urgent shows and filters', { timeout: 30_000 }, async () => {
  const before = (await local(pageB, bookmarkId))!;
  if (!(await pageB.locator('ww-bookmarks').count())) await pageB.locator('[data-action="bookmarks"]').click();
  const row = pageB.locator(`ww-bookmarks li[data-bookmark-id="${bookmarkId}"]`);
  await row.locator('[data-action="edit"]').click();
  await row.locator('[data-field="edit-camera"][value="demo-2"]').check();
  // A later end, typed in Vietnam time (the start is left as shown: it keeps its milliseconds).
  const newEnd = before.endMs + 60_000;
  await row.locator('[data-field="edit-end-date"]').fill(hcmDateInput(newEnd));
  await row.locator('[data-field="edit-end-time"]').fill(hcmTimeText(newEnd));
  await row.locator('[data-field="edit-urgent"]').check();
  // A bad time is refused with a message, nothing sent.
  await row.locator('[data-field="edit-start-time"]').fill('26:00');
  await row.locator('[data-action="save-edit"]').click();
  assert.match(await pageB.locator('ww-bookmarks .error, ww-bookmarks [role="alert"]').first().innerText(), /./);
  await row.locator('[data-field="edit-start-time"]').fill(hcmTimeText(before.startMs, true));
  await row.locator('[data-action="save-edit"]').click();
  const edited = await waitFor('edit on the server', async () => {
    const b = (await serverList()).find((x) => x.id === bookmarkId);
    return b?.urgent ? b : false;
  }, 10000, 100);
  assert.deepEqual(edited.cameras, ['demo-1', 'demo-2']);
  assert.equal(edited.startMs, before.startMs, 'the start left as shown keeps its milliseconds');
  assert.equal(edited.endMs, Math.floor(newEnd / 1000) * 1000, 'the typed end (whole seconds)');
  assert.equal(edited.title, before.title);
  assert.equal(edited.times.title, before.times.title, 'the unchanged title was not sent again (its edit time stands)');
  assert.equal(edited.times.note, before.times.note);
  // The other operator is told at once (the one who marked it is not).
  const notice = pageA.locator(`ww-app [data-urgent-notice="${bookmarkId}"]`);
  await waitFor('urgent notice in A', async () => (await notice.count()) === 1, 10000, 100);
  assert.match(await notice.innerText(), /KHẨN/);
  assert.equal(await pageB.locator('ww-app [data-urgent-notice]').count(), 0, 'no notice for the author');
  await notice.locator('[data-action="urgent-dismiss"]').click();
  assert.equal(await notice.count(), 0);
  // Shown as urgent in the other operator's list, and the urgent filter keeps it.
  if (!(await pageA.locator('ww-bookmarks').count())) await pageA.locator('[data-action="bookmarks"]').click();
  await waitFor('urgent in A', async () => (await pageA.locator(`ww-bookmarks li[data-bookmark-id="${bookmarkId}"][data-urgent]`).count()) === 1, 10000, 100);
  await pageA.locator('ww-bookmarks [data-filter="urgent"]').check();
  assert.equal(await pageA.locator('ww-bookmarks li[data-bookmark-id]').count(), 1);
  await pageA.locator('ww-bookmarks [data-filter="urgent"]').uncheck();
});

test('deletion syncs as a tombstone', { timeout: 30_000 }, async () => {
  await pageB.evaluate((id) => window.__wardwall!.bookmarks.deleteBookmark(id), bookmarkId);
  await explain(waitFor('deleted in A', async () => (await local(pageA, bookmarkId))?.deleted === true, 10000, 100), [pageA, pageB]);
  assert.ok(!(await serverList()).some((b) => b.id === bookmarkId));
  const pulled = sys.sfu.bookmarks.store.bookmark(bookmarkId);
  assert.equal(pulled?.deleted, true, 'kept on the server as a tombstone');
  assert.equal(await pageA.evaluate(() => window.__wardwall!.bookmarks.bookmarks().length), 0);
});

test('incident: made in the panel, grouped across cameras, exported as one package verified in the browser', { timeout: 120_000 }, async () => {
  await pageA.evaluate(() => window.__wardwall!.app.setMode('live'));
  if (!(await pageA.locator('ww-bookmarks').count())) await pageA.locator('[data-action="bookmarks"]').click();
  await pageA.locator('ww-bookmarks [data-tab="incidents"]').click();
  await pageA.locator('ww-bookmarks [data-field="incident-title"]').fill('Trộm xe máy hẻm 12');
  await pageA.locator('ww-bookmarks [data-action="create-incident"]').click();
  const item = pageA.locator('ww-bookmarks li[data-incident-id]');
  await waitFor('incident listed', async () => (await item.count()) === 1);
  const incidentId = (await item.getAttribute('data-incident-id'))!;
  await pageA.evaluate(async (inc) => {
    const svc = window.__wardwall!.bookmarks;
    const now = svc.serverNow();
    await svc.createBookmark({ cameras: ['demo-1'], startMs: now - 20_000, endMs: now - 12_000, title: 'vào hẻm', incidentId: inc });
    await svc.createBookmark({ cameras: ['demo-2'], startMs: now - 15_000, title: 'ra đầu hẻm', incidentId: inc });
  }, incidentId);
  await waitFor('synced', () => pageA.evaluate(() => window.__wardwall!.bookmarks.status.pending === 0), 20000, 100);
  await waitFor('in B too', () => pageB.evaluate((inc) => window.__wardwall!.bookmarks.bookmarksOf(inc).length === 2, incidentId), 10000, 100);
  await item.locator('[data-action="expand"]').click();
  await item.locator('ww-export [data-action="export"]').click();
  await waitFor('package verified', async () => (await item.locator('ww-export').getAttribute('data-phase')) === 'done', 90_000, 250).catch(async (e: Error) => {
    throw new Error(`${e.message}: ${await item.locator('ww-export').innerText()}`);
  });
  assert.equal(await item.locator('ww-export [data-verified]').getAttribute('data-verified'), 'ok');
  const files = await item.locator('ww-export tr[data-file]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-file'), r.getAttribute('data-verdict')]));
  assert.deepEqual(files, [['01-demo-1.mp4', 'ok'], ['02-demo-2.mp4', 'ok'], ['verify.html', 'ok']]);
  assert.equal(await item.locator('ww-export [data-signature]').getAttribute('data-signature'), 'valid');
});

test('IndexedDB: a database of the first schema version is upgraded with its data kept', async () => {
  const r = await pageA.evaluate(async () => {
    const name = 'wardwall-upgrade-test';
    await new Promise<void>((res, rej) => {
      const del = indexedDB.deleteDatabase(name);
      del.onsuccess = () => res();
      del.onerror = () => rej(del.error);
    });
    // The first schema exactly as version 1 created it, with data.
    await new Promise<void>((res, rej) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('prefs', { keyPath: 'key' }).put({ key: 'layout', value: '3x3', updatedAt: 1 });
        db.createObjectStore('tiles', { keyPath: 'index' }).put({ index: 4, cameraId: 'demo-2', updatedAt: 1 });
      };
      req.onsuccess = () => (req.result.close(), res());
      req.onerror = () => rej(req.error);
    });
    const db = await window.__wardwall!.openWallDb(name);
    const out = {
      version: db.version,
      stores: [...db.objectStoreNames].sort(),
      layout: (await db.get('prefs', 'layout'))?.value,
      tile: (await db.get('tiles', 4))?.cameraId,
    };
    await db.put('syncMeta', { key: 'cursor', value: 7 });
    const cursor = (await db.get('syncMeta', 'cursor'))?.value;
    db.close();
    return { ...out, cursor };
  });
  assert.equal(r.version, 2);
  assert.deepEqual(r.stores, ['bookmarks', 'incidents', 'outbox', 'prefs', 'syncMeta', 'tiles']);
  assert.equal(r.layout, '3x3');
  assert.equal(r.tile, 'demo-2');
  assert.equal(r.cursor, 7);
});
