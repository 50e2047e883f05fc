/**
 * Capacity benchmark (`npm run bench:capacity [-- --cameras N]`): a ward's cameras on one box.
 *
 * N cameras (default 120) that cost the project nothing extra to produce: ONE pre-encoded clip
 * (640×360, 25 fps, GOP 2 s, the demo cameras' picture; rendered once into the cache) served to N
 * RTSP paths by one Node process of its own (bench/clip-camera-server.ts),
 * on loopback, with basic credentials that travel in the camera URLs stored in the SFU's camera list
 * (never on a command line). The project runs as in production: the SFU ingests every camera and the
 * recorder records every camera (each its own RTSP session). Cameras are added through the SFU's
 * camera manager in batches, each batch given time to come up before the next, so the box is not
 * flooded. One Chromium opens the wall with a 4×4 layout showing 16 of the cameras.
 *
 * Measured over BENCH_SECONDS (default 30) once everything is up: the project's CPU (this process,
 * which hosts the SFU and the recorder, and all its descendants: mediasoup workers, GStreamer
 * ingests, the recorder's pull and segment processes, the endpoint; NOT the camera server nor
 * Chromium) as a share of the machine, its PSS (/proc/<pid>/smaps_rollup) and process count, the
 * wall's live tiles, per-tile decoded frame rate and tiles held on stills by the link monitor.
 * `max_cameras_within_target` extrapolates linearly from the per-camera cost at N (which carries its
 * share of the fixed costs, so it is on the safe side). Prints one JSON object last.
 *
 * Options: `--cameras N`; env BENCH_SECONDS, BENCH_BATCH (cameras per batch, default 10).
 * `--smoke`: 4 cameras, a 2×2 wall, 3 s of sampling; its numbers are not measurements.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, openPage } from '@wardwall/testing/browser';
import { processTree, TreeSampler } from '@wardwall/testing/proc-stats';
import { BENCH_PAGE_HELPERS, benchOption, bySmoke, round1, SMOKE, SMOKE_FIELD, runBench } from './common.js';
import { pssKb, summariseCpu, summariseWall, type TileSnapshot } from './capacity-stats.js';
import { cameraClip, startCameraServer, type CameraServer } from './capacity-camera-server.js';

function camerasOption(): number {
  const i = process.argv.indexOf('--cameras');
  const n = i >= 0 ? Number(process.argv[i + 1]) : bySmoke(120, 4);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--cameras: a whole number of cameras >= 1, got ${process.argv[i + 1]}`);
  return n;
}

const CAMERAS = camerasOption();
const SECONDS = benchOption('BENCH_SECONDS', 30, 3);
const BATCH = benchOption('BENCH_BATCH', 10, 4);
const LAYOUT = bySmoke({ name: '4x4', tiles: 16 }, { name: '2x2', tiles: 4 });
const WALL_TILES = Math.min(LAYOUT.tiles, CAMERAS);
const CORES = availableParallelism();
const TARGETS = { cpu_pct_machine: 60, pss_gb: 3, tiles_live: LAYOUT.tiles };

const log = (s: string) => process.stderr.write(`[capacity] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Chromium's browser processes: children of this process running the chromium binary. */
function chromiumRoots(): number[] {
  return processTree(process.pid).filter((pid) => {
    try {
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      return ppid === process.pid && /chrom/.test(readlinkSync(`/proc/${pid}/exe`));
    } catch {
      return false;
    }
  });
}

function pssOf(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += pssKb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    } catch {
      // gone meanwhile
    }
  }
  return kb;
}

const liveCount = (sys: TestSystem, ids: readonly string[]) => {
  const live = new Set(sys.sfu.cameras.info().filter((c) => c.streams.main.state === 'live').map((c) => c.id));
  return ids.filter((id) => live.has(id)).length;
};
const recordingCount = (sys: TestSystem) => sys.recorder!.health().cameras.filter((c) => c.state === 'recording').length;

async function wallTiles(page: Page): Promise<TileSnapshot[]> {
  return page.locator('ww-tile').evaluateAll((els) =>
    els.map((e) => ({
      camera: e.getAttribute('camera-id') ?? '',
      state: e.getAttribute('state') ?? '',
      frames: Number(e.getAttribute('frames') ?? 0),
      linkLive: e.hasAttribute('link-live'),
    })),
  );
}

async function main(): Promise<void> {
  const clip = await cameraClip();
  const cams = await startCameraServer(clip, CAMERAS);
  try {
    await underLoad(cams);
  } finally {
    await cams.close();
  }
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

async function underLoad(cams: CameraServer): Promise<void> {
  const exclude = new Set<number>([cams.child.pid!]);
  const sys = await startTestSystem({
    recorder: true,
    workers: 2,
    wall: { firstWall: false },
    patch: (raw) => {
      raw.demo = { enabled: false };
      // Production settings where the test system speeds things up: 60 s segments (tests: 4 s) and
      // the ingest's restart back-off up to 30 s (tests: at most 1 s, which on a loaded box turns
      // every stall into a storm of restarts, each costing a python3 + GStreamer start-up).
      raw.recorder.segmentSeconds = 60;
      raw.sfu.ingest = {};
    },
  });
  const browser = await launchChromium();
  for (const pid of chromiumRoots()) exclude.add(pid);
  const linkEvents: { at: string; change: string; sample: unknown }[] = [];
  try {
    // Ramp-up: a batch, then time for it to come up (bounded), then the next.
    const ids: string[] = [];
    const rampStart = Date.now();
    for (let first = 1; first <= CAMERAS; first += BATCH) {
      const batch: string[] = [];
      for (let i = first; i < first + BATCH && i <= CAMERAS; i++) {
        const id = `cam-${i}`;
        const main = `rtsp://${cams.user}:${cams.password}@127.0.0.1:${cams.port}/cam-${i}`;
        await sys.sfu.stationCameras.create('capacity-bench', { id, name: `Camera ${i}`, main });
        batch.push(id);
      }
      ids.push(...batch);
      const batchUp = () => liveCount(sys, batch) === batch.length && recordingCount(sys) >= ids.length;
      await waitFor(`batch from cam-${first} up`, batchUp, 30000, 250).catch(() => undefined);
      log(`${ids.length} cameras added, ${liveCount(sys, ids)} live, ${recordingCount(sys)} recording (${Math.round((Date.now() - rampStart) / 1000)} s)`);
    }
    const allUp = () => liveCount(sys, ids) === ids.length && recordingCount(sys) >= ids.length;
    await waitFor('all cameras live and recording', allUp, 30000 + CAMERAS * 250, 500).catch(() => undefined);
    const rampSeconds = (Date.now() - rampStart) / 1000;
    const camerasLive = liveCount(sys, ids);
    const camerasRecording = recordingCount(sys);
    log(`ramp-up: ${camerasLive}/${CAMERAS} live, ${camerasRecording}/${CAMERAS} recording after ${Math.round(rampSeconds)} s`);

    // The wall: one page, the layout, the first cameras clicked into it.
    const page = await openPage(browser, { width: 1920, height: 1080 });
    // The link monitor logs each level change with the sample that caused it.
    page.on('console', (m) => {
      if (!m.text().startsWith('[link]')) return;
      const [, sample] = m.args();
      void (sample ? sample.jsonValue() : Promise.resolve(null)).then(
        (s: unknown) => linkEvents.push({ at: new Date().toISOString(), change: m.text().split(' ').slice(1, 4).join(' '), sample: s }),
        () => linkEvents.push({ at: new Date().toISOString(), change: m.text().slice(0, 200), sample: null }),
      );
    });
    await page.addInitScript(BENCH_PAGE_HELPERS);
    page.setDefaultTimeout(60000); // a loaded box: Chromium may be slow to lay out 100+ list entries
    await page.goto(sys.url);
    log('wall page loaded');
    await page.locator(`[data-layout="${LAYOUT.name}"]`).first().click();
    await waitFor(`${LAYOUT.tiles} tiles`, async () => (await wallTiles(page)).length === LAYOUT.tiles, 30000, 200);
    // Clicked in the page: the list re-renders with every camera status change, and Playwright's
    // actionability checks (a stable element) then wait for seconds per click on a busy box.
    await page.evaluate((wanted) => {
      const b = (window as unknown as { __bench: { deepAll: (s: string, root?: ParentNode) => Element[] } }).__bench;
      const list = b.deepAll('ww-camera-list')[0]!;
      for (const id of wanted) (b.deepAll(`[data-camera-id="${id}"]`, list.shadowRoot ?? list)[0] as HTMLElement | undefined)?.click();
    }, ids.slice(0, WALL_TILES));
    log(`wall ${LAYOUT.name}: ${WALL_TILES} cameras placed`);
    const playing = async () => (await wallTiles(page)).filter((t) => t.state === 'playing' && t.frames > 0).length;
    await waitFor('wall tiles playing', async () => (await playing()) >= WALL_TILES, 30000, 500).catch(() => undefined);
    log(`wall: ${await playing()}/${WALL_TILES} tiles playing; measuring ${SECONDS} s`);
    await sleep(bySmoke(5000, 1000)); // settle (the link monitor samples every 2 s)

    // The measurement window.
    const sampler = new TreeSampler(() => [process.pid], () => exclude);
    const before = await wallTiles(page);
    const t0 = Date.now();
    sampler.start(1000);
    await sleep(SECONDS * 1000);
    const after = await wallTiles(page);
    const pids = processTree(process.pid, exclude);
    const pss = pssOf(pids);
    const cpu = sampler.stop();
    const seconds = (Date.now() - t0) / 1000;
    // Per camera that streams: cameras still down (in back-off) cost next to nothing and would flatter it.
    const cpuSum = summariseCpu(cpu.cpuSeconds, seconds, CORES, camerasLive, TARGETS.cpu_pct_machine);
    const wall = summariseWall(before, after, seconds);
    const byProcess = Object.fromEntries(Object.entries(cpu.byProcess).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => [k, round1((v / seconds) * 100)]));
    const pssGb = pss / 1024 / 1024;
    const out = {
      bench: 'capacity',
      ...SMOKE_FIELD,
      cameras: CAMERAS,
      cameras_live: camerasLive,
      cameras_recording: camerasRecording,
      // Which engine carries each live stream (docs/relay-ingest.md) and each recording (docs/recorder.md).
      ingest_engines: countBy(sys.sfu.cameras.allStreams().map((s) => s.engine ?? 'undecided')),
      ramp_up_s: round1(rampSeconds),
      cores: CORES,
      // The machine's load when the window ended (others' work too: a shared box skews the numbers).
      load_avg_1m: round1(loadavg()[0]!),
      seconds: round1(seconds),
      cpu_pct_machine: round1(cpuSum.cpuPctMachine),
      cpu_per_live_camera_pct_core: Math.round(cpuSum.perCameraPctCore * 100) / 100,
      cpu_by_process_pct_core: byProcess,
      pss_gb: Math.round(pssGb * 100) / 100,
      processes: pids.length,
      wall_layout: LAYOUT.name,
      wall_tiles: wall.tiles,
      wall_tiles_live: wall.tilesLive,
      wall_tiles_stills: wall.tilesStills,
      wall_fps_min: round1(wall.fpsMin),
      wall_fps_median: round1(wall.fpsMedian),
      wall_fps: wall.fps.map(round1),
      link_events: linkEvents,
      max_cameras_within_target: cpuSum.maxCamerasWithinTarget,
      max_cameras_note: `extrapolated linearly from the per-camera cost of the ${camerasLive} live cameras (fixed costs included in it)`,
      targets: TARGETS,
      pass: !SMOKE && camerasLive === CAMERAS && cpuSum.cpuPctMachine <= TARGETS.cpu_pct_machine && pssGb <= TARGETS.pss_gb && wall.tilesLive >= TARGETS.tiles_live,
    };
    console.log(JSON.stringify(out));
  } finally {
    await browser.close();
    await sys.close();
  }
}

runBench(main);
