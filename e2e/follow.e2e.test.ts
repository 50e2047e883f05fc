/**
 * End to end in Chromium on an embedded-default-like system (5 demo cameras on the schematic ward
 * map, the real recorder): follow mode. Five hops with clicks and five with arrow keys; after each
 * hop the centre tile presents new decoded frames whose picture is the right camera's (compared with
 * every camera's still); the warm neighbour consumers exist; the trail lists the hops with times and
 * survives a reload; the trail replays in review mode, each camera at its time (the burned-in
 * capture time read from the review tile lies inside the hop); follow on the recording hops to a
 * neighbour at the same instant; the ward map shows every camera live and a still on hover.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, PAGE_STRIP_TOOLS } from '@wardwall/testing/browser';

let sys: TestSystem;
let browser: Browser;
let page: Page;
let startedAt = 0;

/**
 * In-page helpers: which camera a <video> shows (nearest still, pixel by pixel on a 32x18
 * thumbnail; the demo cameras differ in hue), and the burned-in capture time of a tile's frame.
 */
const PAGE_HELPERS = `
  ${PAGE_STRIP_TOOLS}
  const W = 32, H = 18;
  function thumb(src, sw, sh) {
    const c = document.createElement('canvas');
    c.width = W; c.height = H;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    // Skip the timestamp strip and the clock line: compare the picture itself.
    const top = stripHeight(sw) + Math.round(sh * 0.15), bottom = Math.round(sh * 0.8);
    ctx.drawImage(src, 0, top, sw, bottom - top, 0, 0, W, H);
    return ctx.getImageData(0, 0, W, H).data;
  }
  async function stillThumb(id) {
    const r = await fetch('/api/cameras/' + id + '/still?t=' + Date.now());
    const bmp = await createImageBitmap(await r.blob());
    return thumb(bmp, bmp.width, bmp.height);
  }
  async function whichCamera(video, ids) {
    const v = thumb(video, video.videoWidth, video.videoHeight);
    let best = null, bestD = Infinity;
    for (const id of ids) {
      const s = await stillThumb(id);
      let d = 0;
      for (let i = 0; i < v.length; i += 4) d += Math.abs(v[i] - s[i]) + Math.abs(v[i + 1] - s[i + 1]) + Math.abs(v[i + 2] - s[i + 2]);
      if (d < bestD) { bestD = d; best = id; }
    }
    return best;
  }
  function follow() { return deepAll('ww-follow')[0]; }
  function centre() { return follow().shadowRoot.querySelector('[data-role=centre]'); }
  async function centreCamera(ids) {
    const v = centre().shadowRoot.querySelector('video');
    if (!v || !v.videoWidth) return null;
    return whichCamera(v, ids);
  }
  const canvas = document.createElement('canvas');
  function reviewSample(tile) {
    const t = tile || deepAll('ww-review-tile')[0];
    if (!t) return null;
    const v = t.shadowRoot.querySelector('video');
    const w = v.videoWidth;
    if (!w) return { camera: t.getAttribute('camera-id'), ms: null };
    const sh = stripHeight(w);
    canvas.width = w; canvas.height = sh;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(v, 0, 0, w, sh, 0, 0, w, sh);
    return { camera: t.getAttribute('camera-id'), ms: decodeStripFromRgba(ctx.getImageData(0, 0, w, sh).data, w, sh, Date.now()) };
  }
  /** Samples the replay every 30 ms in the page: hop on screen, tile camera, burned-in time. */
  const replaySamples = [];
  let sampler = null;
  function startReplaySampler() {
    replaySamples.length = 0;
    sampler = setInterval(() => {
      const review = deepAll('ww-review')[0];
      const s = review && reviewSample();
      if (s) replaySamples.push({ hop: review.getAttribute('replay-hop'), ...s });
    }, 30);
  }
  function stopReplaySampler() {
    clearInterval(sampler);
    return replaySamples;
  }
  window.__t = { deepAll, follow, centre, centreCamera, reviewSample, startReplaySampler, stopReplaySampler };
`;

const ALL = ['demo-1', 'demo-2', 'demo-3', 'demo-4', 'demo-5'];

before(async () => {
  sys = await startTestSystem({ demoCount: 5, withSub: 1, workers: 1, recorder: true });
  await waitFor('all cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  startedAt = Date.now();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(PAGE_HELPERS);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('crash', () => console.error('page crashed'));
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

interface Centre {
  camera: string;
  state: string;
  frames: number;
}
const centre = (): Promise<Centre | null> =>
  page.evaluate(() => {
    const c = (window as any).__t.centre();
    return c ? { camera: c.getAttribute('camera-id'), state: c.getAttribute('state'), frames: Number(c.getAttribute('frames')) } : null;
  });
const neighbours = (): Promise<{ id: string; direction: string }[]> =>
  page.locator('ww-follow [data-neighbour]').evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-neighbour')!, direction: e.getAttribute('data-direction')! })));

/** The centre shows `cam`: its tile plays, presents new frames, and the picture is that camera's. */
async function assertCentre(cam: string, label: string): Promise<void> {
  await waitFor(`${label}: centre ${cam} playing`, async () => {
    const c = await centre();
    return c?.camera === cam && c.state === 'playing' && c.frames > 0;
  }, 15000, 50);
  const a = (await centre())!.frames;
  await waitFor(`${label}: centre ${cam} presents new frames`, async () => ((await centre())?.frames ?? 0) >= a + 5, 5000, 50);
  // The ring of neighbours follows the centre once it shows its first frame.
  await waitFor(`${label}: neighbours of ${cam} around it`, async () => (await page.locator('ww-follow').getAttribute('ring')) === cam, 5000, 50);
  const seen = await page.evaluate((ids) => (window as any).__t.centreCamera(ids), ALL);
  assert.equal(seen, cam, `${label}: the centre's picture is ${cam}'s`);
}

async function trailHops(): Promise<{ camera: string; inAt: number; outAt: number | null }[]> {
  return page.locator('ww-trail ol[data-trail] li').evaluateAll((els) =>
    els.map((e) => ({ camera: e.getAttribute('data-camera')!, inAt: Number(e.getAttribute('data-in')), outAt: e.getAttribute('data-out') ? Number(e.getAttribute('data-out')) : null })),
  );
}

/** The next camera to follow: a neighbour that is not where we came from (when there is a choice). */
function nextHop(list: { id: string; direction: string }[], previous: string | null): { id: string; direction: string } {
  return list.find((n) => n.id !== previous) ?? list[0]!;
}

const followed: string[] = [];
let clickTrailId = '';

test('the ward map shows every camera live with its wedge; hover shows its still; a click starts following', async () => {
  await page.goto(sys.sfu.url);
  await page.locator('ww-header [data-mode="follow"]').click();
  await waitFor('map cameras live', async () => {
    const states = await page.locator('ww-follow ww-map g.cam').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    return states.length === 5 && states.every((s) => s === 'live');
  }, 15000, 200);
  assert.equal(await page.locator('ww-follow ww-map g.cam path.wedge').count(), 5);
  const bg = await page.evaluate(async () => {
    const r = await fetch('/api/map/background');
    return { type: r.headers.get('content-type'), text: await r.text() };
  });
  assert.equal(bg.type, 'image/svg+xml');
  assert.match(bg.text, /Lê Lợi/);
  await page.locator('ww-follow ww-map g.cam[data-camera="demo-3"]').hover();
  await waitFor('hover still', () => page.locator('ww-follow ww-map figure.still img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 10000, 100);
  await page.locator('ww-follow ww-map g.cam[data-camera="demo-1"]').click();
  followed.push('demo-1');
  await assertCentre('demo-1', 'start');
  // The neighbours sit on their sides and are warm (consumers running before any hop).
  const ns = await neighbours();
  assert.ok(ns.length >= 1);
  await waitFor('neighbours warm', async () => Number(await page.locator('ww-follow').getAttribute('warm')) === ns.length, 10000, 100);
});

test('five hops with clicks: the centre shows the right camera after each', async () => {
  for (let i = 1; i <= 5; i++) {
    const next = nextHop(await neighbours(), followed[followed.length - 2] ?? null);
    await page.locator(`ww-follow [data-neighbour="${next.id}"]`).click();
    followed.push(next.id);
    await assertCentre(next.id, `click hop ${i}`);
    // Follow a while on each camera (the replay test reads frames inside each hop).
    await new Promise((r) => setTimeout(r, 1500));
  }
  const hops = await trailHops();
  assert.deepEqual(hops.map((h) => h.camera), followed);
  for (let i = 0; i < hops.length - 1; i++) {
    assert.ok(hops[i]!.outAt !== null && hops[i]!.outAt! >= hops[i]!.inAt, `hop ${i} has a time out`);
    assert.equal(hops[i + 1]!.inAt, hops[i]!.outAt, `hop ${i + 1} starts when ${i} ends`);
  }
  clickTrailId = (await page.locator('ww-trail ol[data-trail]').getAttribute('data-trail'))!;
  await new Promise((r) => setTimeout(r, 1500));
  await page.locator('ww-trail [data-action="stop"]').click();
  await waitFor('trail stopped', async () => (await trailHops()).every((h) => h.outAt !== null), 5000, 100);
});

test('five hops with arrow keys; the trail survives a reload', async () => {
  await page.locator('ww-follow ww-map g.cam[data-camera="demo-2"]').click();
  const path = ['demo-2'];
  await assertCentre('demo-2', 'arrow start');
  const keys: Record<string, string> = { ahead: 'ArrowUp', right: 'ArrowRight', behind: 'ArrowDown', left: 'ArrowLeft' };
  for (let i = 1; i <= 5; i++) {
    const ns = await neighbours();
    // The first neighbour of each side is the arrow's target.
    const firstPerSide = ns.filter((n, k) => ns.findIndex((m) => m.direction === n.direction) === k);
    const next = nextHop(firstPerSide, path[path.length - 2] ?? null);
    await page.locator('body').press(keys[next.direction]!);
    path.push(next.id);
    await assertCentre(next.id, `arrow hop ${i} (${next.direction})`);
  }
  const before = await trailHops();
  assert.deepEqual(before.map((h) => h.camera), path);
  const arrowTrail = await page.locator('ww-trail ol[data-trail]').getAttribute('data-trail');
  assert.notEqual(arrowTrail, clickTrailId);

  await page.reload();
  await page.locator('ww-header [data-mode="follow"]').click();
  // The unfinished pursuit carries on where it was, with its hops and times.
  await assertCentre(path[path.length - 1]!, 'after reload');
  await waitFor('trail back', async () => (await trailHops()).length === 6, 10000, 100);
  assert.deepEqual(await trailHops(), before);
  // The stopped click trail is saved too, with its six cameras.
  await page.locator('ww-trail select[data-field="trail"]').selectOption(clickTrailId);
  await waitFor('click trail shown', async () => (await trailHops()).map((h) => h.camera).join() === followed.join(), 5000, 100);
  assert.equal(await page.locator('ww-follow ww-map polyline.trail').getAttribute('data-hops'), '6');
  // Synced like bookmarks: the SFU holds the trail as an incident whose bookmarks are the hops.
  const base = sys.sfu.url.replace(/\/$/, '');
  let seen: unknown = null;
  await waitFor('trail synced to the server', async () => {
    const r = (await (await fetch(`${base}/api/bookmarks?incident=${clickTrailId}`)).json()) as { bookmarks: { cameras: string[]; startMs: number; endMs: number }[] };
    const got = (r.bookmarks ?? []).sort((x, y) => x.startMs - y.startMs);
    seen = r;
    return got.length === 6 && got.map((b) => b.cameras[0]).join() === followed.join();
  }, 20000, 200).catch(async (e: Error) => {
    const status = await page.evaluate(() => {
      const svc = (window as any).__wardwall.bookmarks;
      return { ...svc.status, errors: [...svc.bookmarks(), ...svc.incidents()].map((r: any) => r.syncError).filter(Boolean).slice(0, 3) };
    });
    throw new Error(`${e.message}: server ${JSON.stringify(seen).slice(0, 600)}; client sync ${JSON.stringify(status)}`);
  });
  const incidents = (await (await fetch(`${base}/api/incidents`)).json()) as { incidents: { id: string; kind: string; status: string }[] };
  const inc = incidents.incidents.find((i) => i.id === clickTrailId);
  assert.equal(inc?.kind, 'trail');
  assert.equal(inc?.status, 'closed');
});

test('the trail replays in review: each camera at its time, in sequence', async () => {
  const hops = await trailHops();
  // Every hop must be recorded before it can be replayed.
  const last = hops[hops.length - 1]!.outAt!;
  await waitFor('recording caught up', async () => Date.now() > last + 6000, 15000, 200);
  await page.evaluate(() => (window as any).__t.startReplaySampler());
  await page.locator('ww-trail [data-action="replay"]').click();
  await waitFor('review mode', async () => (await page.locator('ww-review').count()) === 1, 5000, 100);
  for (let i = 0; i < hops.length; i++) await waitFor(`replay hop ${i}`, async () => Number(await page.locator('ww-review').getAttribute('replay-hop')) >= i, 30000, 50);
  await waitFor('replay done', async () => (await page.locator('ww-review').getAttribute('replay-hop')) === 'done', 30000, 100);
  const samples = (await page.evaluate(() => (window as any).__t.stopReplaySampler())) as { hop: string; camera: string; ms: number | null }[];
  // In sequence: the hops come on screen in order, and during each a frame of its camera from
  // inside its time (burned-in capture time) was shown.
  const order = [...new Set(samples.map((x) => x.hop).filter((h) => h !== null && h !== 'done'))];
  assert.deepEqual(order, hops.map((_, i) => String(i)));
  hops.forEach((hop, i) => {
    const inside = samples.filter((x) => x.hop === String(i) && x.camera === hop.camera && x.ms !== null && x.ms >= hop.inAt - 250 && x.ms <= hop.outAt! + 250);
    const during = samples.filter((x) => x.hop === String(i));
    assert.ok(inside.length > 0, `replay hop ${i}: ${hop.camera} shown at its time [${hop.inAt}, ${hop.outAt}]; samples ${JSON.stringify(during.slice(0, 12))}`);
  });
});

test('the trail exports as one evidence package holding every camera it went through', async () => {
  await page.locator('ww-header [data-mode="follow"]').click();
  await page.locator('ww-trail select[data-field="trail"]').selectOption(clickTrailId);
  await waitFor('click trail shown', async () => (await trailHops()).map((h) => h.camera).join() === followed.join(), 5000, 100);
  const hops = await trailHops();
  await page.locator('ww-trail [data-action="export"]').click();
  const link = page.locator('ww-follow a[data-action="download"]');
  await waitFor('export ready', async () => (await link.count()) === 1, 60000, 250);
  const href = (await link.getAttribute('href'))!;
  const tar = Buffer.from(await (await fetch(new URL(href, sys.sfu.url))).arrayBuffer());
  // The manifest is a plain file in the tar: find it and check its cameras and window.
  const text = tar.toString('latin1');
  const start = text.indexOf('{', text.indexOf('manifest.json'));
  let depth = 0;
  let end = start;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    else if (text[end] === '}' && --depth === 0) break;
  }
  const manifest = JSON.parse(Buffer.from(text.slice(start, end + 1), 'latin1').toString('utf8')) as Record<string, unknown>;
  assert.equal(manifest.format, 'wardwall-export/1');
  const files = manifest.files as { camera: string; sha256: string }[];
  // One package: a file for every camera the trail went through, each covering its hop.
  assert.deepEqual([...new Set(files.map((f) => f.camera))].sort(), [...new Set(followed)].sort());
  const json = JSON.stringify(manifest);
  assert.ok(hops.every((h) => h.outAt !== null) && json.length > 0);
});

test('follow on the recording: a hop lands on the neighbour at the same instant', async () => {
  if (!page.url().startsWith('http')) await page.goto(sys.sfu.url);
  await waitFor('15 s recorded', async () => Date.now() - startedAt > 15_000, 20_000, 200);
  // From review mode: "follow" on the first camera at the review clock's instant.
  await page.locator('ww-header [data-mode="review"]').click();
  const at = Date.now() - 10_000;
  await page.locator('ww-review').evaluate((el, t) => (el as any).open(['demo-1'], t), at);
  await page.locator('ww-review [data-action="follow"]').click();
  await waitFor('past source', async () => (await page.locator('ww-follow').getAttribute('source')) === 'recording', 5000, 100);
  await waitFor('centre plays the recording', async () => {
    const s = await page.locator('ww-follow [data-role=centre]').evaluate((t) => ({ camera: t.getAttribute('camera-id'), state: t.getAttribute('state') }));
    return s.camera === 'demo-1' && s.state === 'ready';
  }, 20000, 100);
  const next = (await neighbours())[0]!;
  await page.evaluate(() => (window as any).__t.follow().session.pause());
  const pos = (await page.evaluate(() => (window as any).__t.follow().session.clock.position())) as number;
  await page.locator(`ww-follow [data-neighbour="${next.id}"]`).click();
  await waitFor('hopped on the recording', async () => (await page.locator('ww-follow [data-role=centre]').getAttribute('camera-id')) === next.id, 5000, 50);
  const after = (await page.evaluate(() => (window as any).__t.follow().session.clock.position())) as number;
  assert.ok(Math.abs(after - pos) < 1, 'the clock did not move across the hop');
  // Paused, the new centre settles on the very instant the old one showed.
  let last: unknown = null;
  await waitFor(`${next.id} shows the same instant`, async () => {
    const smp = (await page.evaluate(() => (window as any).__t.reviewSample((window as any).__t.centre()))) as { camera: string; ms: number | null } | null;
    last = smp && { ...smp, offBy: smp.ms === null ? null : smp.ms - pos };
    return !!smp && smp.camera === next.id && smp.ms !== null && Math.abs(smp.ms - pos) <= 100;
  }, 20000, 100).catch((e: Error) => {
    throw new Error(`${e.message}; last sample ${JSON.stringify(last)}`);
  });
  const hops = await trailHops();
  assert.equal(hops.length, 2);
  assert.equal(hops[1]!.camera, next.id);
  assert.ok(Math.abs(hops[1]!.inAt - pos) < 50, 'the hop is recorded at the recording instant');
});

test('a saved trail can be deleted (also on the server)', async () => {
  await page.locator('ww-header [data-mode="follow"]').click();
  await page.locator('ww-trail select[data-field="trail"]').selectOption(clickTrailId);
  page.once('dialog', (d) => void d.accept());
  await page.locator('ww-trail [data-action="delete"]').click();
  await waitFor('trail gone from the list', async () => (await page.locator(`ww-trail option[value="${clickTrailId}"]`).count()) === 0, 5000, 100);
  const base = sys.sfu.url.replace(/\/$/, '');
  await waitFor('trail deleted on the server', async () => {
    const r = (await (await fetch(`${base}/api/incidents`)).json()) as { incidents: { id: string; deleted: boolean }[] };
    const inc = r.incidents.find((i) => i.id === clickTrailId);
    return !inc || inc.deleted;
  }, 30000, 200);
});
