/**
 * `npm run bench:first-frame`: click → first live frame on the wall for cameras with GOP 1 s, 2 s
 * and 10 s, with the GOP bridge (docs/gop-bridge.md), and what a bridge costs the ingest in CPU.
 *
 * Cameras (640×360@25 H.264 constrained baseline, passthrough): the embedded endpoint's demo camera
 * (GOP 25 frames = 1 s) and the camera zoo's pre-rendered `g711` (GOP 2 s) and `gop10` (GOP 10 s).
 * Each round opens a fresh page on a 1×1 wall, waits until it is idle, clicks the camera in the list
 * and times, in the page, from the click to:
 *   - first_frame: the tile turns `playing` (its first live frame: the bridge's, or the camera
 *     stream's when no bridge was needed);
 *   - camera_frame: the camera stream's own <video> presents its first frame (what the wall showed
 *     before the bridge: until then the still).
 * The idle time before each click (3.5 s plus a random share of the GOP) spreads the clicks over the GOP. Bridge CPU: the ingest process's CPU time
 * (/proc/<pid>/stat) from the click to the camera frame, minus its rate over the idle seconds just
 * before the click, per bridged round. `decisions`: the SFU's answers to the rounds' bridge requests
 * (`bridge`, `keyframe_soon`, …; `not asked`: the tile's consumer already had media).
 * `--smoke`: 2 rounds per camera. BENCH_ROUNDS overrides the rounds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { startTestSystem, waitFor } from '@wardwall/testing/system';
import { launchChromium } from '@wardwall/testing/browser';
import { CameraZoo } from '@wardwall/testing/zoo';
import { BENCH_PAGE_HELPERS, benchOption, pct, round1, runBench, SMOKE, SMOKE_FIELD } from './common.js';

const ROUNDS = benchOption('BENCH_ROUNDS', 12, 2);
const CAMERAS = [
  { id: 'demo-1', gopMs: 1000 },
  { id: 'zoo-g711', gopMs: 2000 },
  { id: 'zoo-gop10', gopMs: 10000 },
] as const;
const IDLE_MS = 3500;

/** CPU seconds (user + system) of one process so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (clock ticks: 100 Hz)
}

interface Round {
  first: number;
  camera: number;
  bridged: boolean;
  bridgeCpuMs: number | null;
  /** The SFU's answer to the round's bridge request ('bridge', a NO_BRIDGE reason, or 'not asked'). */
  decision: string;
  /** Click → the camera consumer attached to the tile's <video>, ms. */
  attached: number;
  /** Click → the bridge consumer attached to the bridge <video>, ms (-1: none). */
  bridgeAttached: number;
}

/** The SFU's bridge decisions, recorded by wrapping each stream's bridgeDecision (same process). */
const decisions = new Map<string, string[]>();

/** The pid of this process's child running `script` (e.g. the SFU's media host), if any. */
function childPid(script: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] !== String(process.pid)) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(script)) return Number(d);
    } catch {
      // gone
    }
  }
  return undefined;
}

async function round(browser: Browser, url: string, cameraId: string, gopMs: number, ingestPid: () => number | undefined): Promise<Round> {
  const asked = decisions.get(cameraId)!;
  asked.length = 0;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await ctx.newPage();
    await page.addInitScript(BENCH_PAGE_HELPERS);
    await page.goto(url);
    await page.locator('[data-layout="1"]').first().click();
    await page.locator(`ww-camera-list [data-camera-id="${cameraId}"]`).first().waitFor();
    await page.waitForFunction(() => (window as unknown as { __wardwall?: unknown }).__wardwall !== undefined);
    // The bridge's CPU: the stream's GStreamer ingest, or for a relayed stream the shared media host
    // (docs/relay-ingest.md), which re-encodes its bridges (one join at a time in this bench).
    const pid = ingestPid() ?? childPid('media-host.py');
    if (!pid) throw new Error(`${cameraId}: no ingest process and no media host`);
    const idle0 = cpuSeconds(pid);
    const idleT0 = performance.now();
    // A random share of a GOP on top: rounds of a fixed length would click at the same GOP phase each time.
    await new Promise((r) => setTimeout(r, IDLE_MS + Math.random() * gopMs));
    const c0 = cpuSeconds(pid);
    const t0 = performance.now();
    const rate = (c0 - idle0) / ((t0 - idleT0) / 1000);
    const r = await page.evaluate(
      (cam) =>
        new Promise<{ first: number; camera: number; bridged: boolean; attached: number; bridgeAttached: number }>((resolve) => {
          const b = (window as unknown as { __bench: { deepAll: (s: string) => Element[] } }).__bench;
          const item = b.deepAll(`[data-camera-id="${cam}"]`)[0] as HTMLElement;
          const t = performance.now();
          item.click();
          let first = -1;
          let bridged = false;
          let attached = -1;
          let bridgeAttached = -1;
          const poll = () => {
            const tile = b.deepAll('ww-tile').find((e) => e.getAttribute('camera-id') === cam);
            const videos = [...(tile?.shadowRoot?.querySelectorAll('video') ?? [])] as HTMLVideoElement[];
            if (attached < 0 && videos[0]?.srcObject) attached = performance.now() - t;
            if (bridgeAttached < 0 && videos[1]?.srcObject) bridgeAttached = performance.now() - t;
            if (videos[1] && videos[1].getVideoPlaybackQuality().totalVideoFrames > 0) bridged = true;
            if (first < 0 && tile?.getAttribute('state') === 'playing') first = performance.now() - t;
            if (videos[0] && videos[0].getVideoPlaybackQuality().totalVideoFrames > 0) return resolve({ first: first < 0 ? performance.now() - t : first, camera: performance.now() - t, bridged, attached, bridgeAttached });
            if (performance.now() - t > 15000) return resolve({ first, camera: -1, bridged, attached, bridgeAttached });
            requestAnimationFrame(poll);
          };
          poll();
        }),
      cameraId,
    );
    const c1 = cpuSeconds(pid);
    const elapsed = (performance.now() - t0) / 1000;
    if (r.camera < 0) throw new Error(`${cameraId}: no camera frame within 15 s`);
    return { ...r, bridgeCpuMs: r.bridged ? Math.max(0, (c1 - c0 - rate * elapsed) * 1000) : null, decision: asked[0] ?? 'not asked' };
  } finally {
    await ctx.close();
  }
}

async function main(): Promise<void> {
  const zoo = await CameraZoo.start({ kinds: ['g711', 'gop10'], prerendered: true });
  const sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, cameras: [{ id: 'zoo-g711', name: 'Zoo GOP 2 s', main: zoo.url('g711') }, { id: 'zoo-gop10', name: 'Zoo GOP 10 s', main: zoo.url('gop10') }] });
  let browser: Browser | null = null;
  try {
    await waitFor('cameras live with a still', () => CAMERAS.every((c) => sys.sfu.cameras.stream(c.id, 'main')?.status.state === 'live' && !!sys.sfu.cameras.stream(c.id, 'main')?.still), 60000, 200);
    for (const cam of CAMERAS) {
      const stream = sys.sfu.cameras.stream(cam.id, 'main')!;
      const list: string[] = [];
      decisions.set(cam.id, list);
      const decide = stream.bridgeDecision.bind(stream);
      stream.bridgeDecision = () => {
        const d = decide();
        list.push(d.bridge ? 'bridge' : d.reason);
        return d;
      };
    }
    browser = await launchChromium();
    const perCamera: Record<string, unknown> = {};
    for (const cam of CAMERAS) {
      const rounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) rounds.push(await round(browser, sys.sfu.url, cam.id, cam.gopMs, () => sys.sfu.cameras.stream(cam.id, 'main')?.ingestPid));
      const first = rounds.map((x) => x.first);
      const camera = rounds.map((x) => x.camera);
      const cpu = rounds.flatMap((x) => (x.bridgeCpuMs === null ? [] : [x.bridgeCpuMs]));
      perCamera[`gop_${cam.gopMs / 1000}s`] = {
        camera: cam.id,
        rounds: rounds.length,
        bridged: rounds.filter((x) => x.bridged).length,
        decisions: Object.fromEntries([...new Set(rounds.map((x) => x.decision))].map((d) => [d, rounds.filter((x) => x.decision === d).length])),
        first_frame_p50_ms: round1(pct(first, 50)),
        first_frame_p95_ms: round1(pct(first, 95)),
        first_frame_max_ms: round1(Math.max(...first)),
        camera_frame_p50_ms: round1(pct(camera, 50)),
        camera_frame_p95_ms: round1(pct(camera, 95)),
        bridge_cpu_ms_p50: cpu.length ? round1(pct(cpu, 50)) : null,
        bridge_cpu_ms_max: cpu.length ? round1(Math.max(...cpu)) : null,
      };
      console.log(`# ${cam.id} (GOP ${cam.gopMs / 1000} s): ${JSON.stringify(perCamera[`gop_${cam.gopMs / 1000}s`])}`);
      // Each round: first live frame / camera frame / consumer attached / bridge attached (ms), decision.
      console.log(`#   rounds: ${rounds.map((x) => `${Math.round(x.first)}/${Math.round(x.camera)}/${Math.round(x.attached)}/${Math.round(x.bridgeAttached)} ${x.decision}`).join(', ')}`);
    }
    const p95s = Object.values(perCamera).map((v) => (v as { first_frame_p95_ms: number }).first_frame_p95_ms);
    console.log(JSON.stringify({ bench: 'first-frame', ...SMOKE_FIELD, video: '640x360@25 H.264 passthrough', ...perCamera, target_p95_ms: 500, pass: SMOKE ? null : p95s.every((p) => p <= 500) }));
  } finally {
    await browser?.close();
    await sys.close();
    await zoo.close();
  }
}

runBench(main);
