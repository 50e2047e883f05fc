/**
 * End to end in Chromium: the GOP bridge (docs/gop-bridge.md) on a camera with a 10 s GOP (zoo
 * `gop10`). A tile clicked mid-GOP decodes frames (the bridge's) before the camera's next keyframe,
 * shows them as playing, then switches to the camera's own stream at that keyframe (its <video>
 * presents frames, the bridge's is hidden and closed) and stays playing throughout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, openPage } from '@wardwall/testing/browser';
import { readTiles } from '@wardwall/testing/tiles';
import { CameraZoo } from '@wardwall/testing/zoo';

const ID = 'zoo-gop10';
let zoo: CameraZoo;
let sys: TestSystem;
let browser: Browser;
let page: Page;

before(async () => {
  zoo = await CameraZoo.start({ kinds: ['gop10'], prerendered: true });
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, cameras: [{ id: ID, name: 'Zoo gop10', main: zoo.url('gop10') }] });
  await waitFor('gop10 live with a still', () => sys.sfu.cameras.stream(ID, 'main')?.status.state === 'live' && !!sys.sfu.cameras.stream(ID, 'main')?.still, 60000, 200);
  browser = await launchChromium();
  page = await openPage(browser, { width: 1024, height: 640 });
});
after(async () => {
  await browser?.close();
  await sys?.close();
  await zoo?.close();
});

/** Frames decoded by the tile's two <video> elements (camera stream, bridge) and whether the bridge shows. */
function videos(p: Page, cam: string): Promise<{ real: number; bridge: number; bridgeShown: boolean; bridgeAttached: boolean; state: string } | null> {
  return p.locator('ww-tile').evaluateAll((els, c) => {
    const tile = els.find((e) => e.getAttribute('camera-id') === c);
    const root = tile?.shadowRoot;
    if (!tile || !root) return null;
    const [real, bridge] = [...root.querySelectorAll('video')] as HTMLVideoElement[];
    const n = (v: HTMLVideoElement | undefined) => v?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
    return { real: n(real), bridge: n(bridge), bridgeShown: !!bridge && !bridge.hidden, bridgeAttached: !!bridge?.srcObject, state: tile.getAttribute('state') ?? '' };
  }, cam);
}

test('a 10 s GOP tile decodes (bridge) frames before the camera next keyframe, then switches to the camera stream', async () => {
  const stream = sys.sfu.cameras.stream(ID, 'main')!;
  const keyframes: number[] = [];
  stream.on('thumbnail', (_img, at) => keyframes.push(at));
  await page.goto(sys.sfu.url);
  await page.locator('[data-layout="1"]').first().click();
  await page.locator(`ww-camera-list [data-camera-id="${ID}"]`).first().waitFor();
  // Click two seconds after a camera keyframe: the next one is ~8 s away.
  const seen = keyframes.length;
  await waitFor('a camera keyframe', () => keyframes.length > seen, 15000, 20);
  await new Promise((r) => setTimeout(r, 2000));
  const atClick = keyframes.length;
  await page.locator(`ww-camera-list [data-camera-id="${ID}"]`).first().click();
  await waitFor('bridge frames decoded', async () => ((await videos(page, ID))?.bridge ?? 0) > 0, 8000, 50);
  const early = (await videos(page, ID))!;
  assert.equal(keyframes.length, atClick, 'the bridge decoded before the camera sent its next keyframe');
  assert.equal(early.real, 0, 'the camera stream has not decoded a frame yet');
  assert.equal(early.state, 'playing', 'the tile shows the bridge as playing');
  // Until the switch, the tile stays playing (no fall back to the still).
  const states = new Set<string>();
  await waitFor('the camera keyframe and its first decoded frame', async () => {
    const v = (await videos(page, ID))!;
    states.add(v.state);
    return v.real > 0;
  }, 15000, 100);
  assert.ok(keyframes.length > atClick, 'the switch came with the camera keyframe');
  await waitFor('bridge hidden', async () => !(await videos(page, ID))!.bridgeShown, 2000, 50);
  const tile = (await readTiles(page)).find((t) => t.camera === ID)!;
  assert.equal(tile.state, 'playing');
  assert.deepEqual([...states], ['playing'], 'playing from the bridge to the camera stream');
  // The bridge's track is let go (its consumer closed). Two requests for this join: at the video
  // consumer's resume (the catch-up decode starts) and at the bridge consumer's (its IDR).
  assert.equal((await videos(page, ID))!.bridgeAttached, false, 'the bridge video has no stream any more');
  assert.equal(stream.bridge!.requests, 2);
  const before = tile.frames;
  await new Promise((r) => setTimeout(r, 2000));
  const later = (await readTiles(page)).find((t) => t.camera === ID)!;
  assert.ok(later.frames > before, `frames advance on the camera stream (${before} -> ${later.frames})`);
});
