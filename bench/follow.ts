/**
 * `npm run bench:follow`: time from a click on a neighbour in follow mode to the first rendered live
 * frame of the new centre (requestVideoFrameCallback on the centre tile's <video>), over 20 hops on
 * 6 demo cameras placed on the schematic ward map (two with a sub stream), in headless Chromium.
 * The neighbours' consumers are kept warm, so a hop shares a running consumer. For contrast, a few
 * "cold" hops go through the map to a camera that is not a neighbour (no warm consumer: the tile
 * waits for the next keyframe). Prints one JSON line last.
 *
 * Options (env): BENCH_HOPS (default 20), BENCH_COLD_HOPS (default 5).
 *
 * `--smoke`: 2 warm hops and 1 cold hop on the same 6 cameras (the map's neighbours need them; the
 * env options still override it), to check the bench runs; its numbers are not measurements.
 */
import { startTestSystem, waitFor } from '@wardwall/testing/system';
import { launchChromium } from '@wardwall/testing/browser';
import { BENCH_PAGE_HELPERS, benchOption, pct, round1, SMOKE_FIELD } from './common.js';

const HOPS = benchOption('BENCH_HOPS', 20, 2);
const COLD_HOPS = benchOption('BENCH_COLD_HOPS', 5, 1);

interface Hop {
  ms: number;
  /** Click to the new centre's stream set on the video (the rest is waiting for a frame). */
  attachMs: number;
  camera: string;
  warm: boolean;
}

async function main(): Promise<void> {
  const sys = await startTestSystem({ demoCount: 6, withSub: 2, workers: 1 });
  const browser = await launchChromium();
  try {
    await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(BENCH_PAGE_HELPERS);
    await page.goto(sys.sfu.url);
    await page.locator('ww-header [data-mode="follow"]').click();
    await page.locator('ww-follow ww-map g.cam[data-camera="demo-1"]').click();
    await waitFor('centre playing', async () => (await page.locator('ww-follow [data-role=centre]').getAttribute('state')) === 'playing', 20000, 100);

    const run = (cold: boolean, n: number): Promise<Hop[]> =>
      page.evaluate(
        async ({ cold, n }) => {
          const b = (window as any).__bench;
          const follow = b.deepAll('ww-follow')[0];
          const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
          const centre = () => follow.shadowRoot.querySelector('[data-role=centre]');
          const out: { ms: number; camera: string; warm: boolean; attachMs: number }[] = [];
          let previous: string | null = null;
          for (let i = 0; i < n; i++) {
            const ns: string[] = follow.neighbours.map((x: { id: string }) => x.id);
            let target: string;
            let el: Element;
            if (!cold) {
              // Give the warm consumers of the new neighbours time to run (an operator watches too).
              await sleep(1500);
              target = ns.find((id) => id !== previous) ?? ns[0]!;
              el = follow.shadowRoot.querySelector(`[data-neighbour="${target}"]`);
            } else {
              // Past the consumers' linger, to a camera that is no neighbour: nothing warm.
              await sleep(4500);
              const cams = [...follow.cameras.keys()] as string[];
              target = cams.find((id) => id !== follow.centre && !ns.includes(id) && id !== previous) ?? cams.find((id) => id !== follow.centre)!;
              el = follow.shadowRoot.querySelector('ww-map').shadowRoot.querySelector(`g.cam[data-camera="${target}"]`);
            }
            const warm = (follow.warm as string[]).includes(target);
            previous = follow.centre;
            const video = centre().shadowRoot.querySelector('video') as HTMLVideoElement;
            const start = performance.now();
            el.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
            let attachMs = -1;
            const ms = await new Promise<number>((resolve) => {
              const timer = setTimeout(() => resolve(-1), 10000);
              // Wait for the new centre's stream on the video, then for its first presented frame.
              const poll = () => {
                const tile = centre();
                if (tile.getAttribute('camera-id') === target && video.srcObject) {
                  attachMs = performance.now() - start;
                  video.requestVideoFrameCallback(() => {
                    clearTimeout(timer);
                    resolve(performance.now() - start);
                  });
                } else setTimeout(poll, 1);
              };
              poll();
            });
            out.push({ ms, camera: target, warm, attachMs });
          }
          return out;
        },
        { cold, n },
      );

    const warmHops = await run(false, HOPS);
    const coldHops = await run(true, COLD_HOPS);
    const ok = warmHops.filter((h) => h.ms >= 0).map((h) => h.ms);
    const coldOk = coldHops.filter((h) => h.ms >= 0).map((h) => h.ms);
    console.log('warm hops (ms, attach/frame):', warmHops.map((h) => `${h.camera}${h.warm ? '' : '(cold)'}:${round1(h.attachMs)}/${round1(h.ms)}`).join(' '));
    console.log('cold hops (ms):', coldHops.map((h) => `${h.camera}${h.warm ? '(warm)' : ''}:${round1(h.ms)}`).join(' '));
    console.log(
      JSON.stringify({
        ...SMOKE_FIELD,
        p50_ms: round1(pct(ok, 50)),
        p95_ms: round1(pct(ok, 95)),
        max_ms: round1(Math.max(...ok)),
        attach_p50_ms: round1(pct(warmHops.map((h) => h.attachMs), 50)),
        hops: warmHops.length,
        failed: warmHops.length - ok.length,
        warm_hits: warmHops.filter((h) => h.warm).length,
        cold_p50_ms: round1(pct(coldOk, 50)),
        cold_p95_ms: round1(pct(coldOk, 95)),
        cold_hops: coldHops.length,
        gop_ms: 1000,
      }),
    );
  } finally {
    await browser.close();
    await sys.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
