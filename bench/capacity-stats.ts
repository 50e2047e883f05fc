/**
 * Pure summaries of the capacity bench (bench/capacity.ts): memory from /proc/<pid>/smaps_rollup,
 * CPU as a share of the machine, the 4×4 wall's tiles, and the largest camera count within the CPU
 * target (extrapolated).
 */

/** The proportional set size (kB) in a /proc/<pid>/smaps_rollup text; 0 when it has none. */
export function pssKb(smapsRollup: string): number {
  const m = /^Pss:\s+(\d+)\s+kB/m.exec(smapsRollup);
  return m ? Number(m[1]) : 0;
}

export interface CpuSummary {
  /** Of the whole machine (all cores = 100 %). */
  cpuPctMachine: number;
  /** Of one core, per camera. */
  perCameraPctCore: number;
  /**
   * The largest camera count whose CPU stays within `targetPctMachine`, extrapolated linearly from
   * the per-camera cost measured at `cameras` (which carries its share of the fixed costs: SFU,
   * recorder, endpoint; so the extrapolation is on the safe side above the measured count).
   */
  maxCamerasWithinTarget: number;
}

export function summariseCpu(cpuSeconds: number, wallSeconds: number, cores: number, cameras: number, targetPctMachine: number): CpuSummary {
  if (!(wallSeconds > 0) || !(cores > 0)) throw new Error('summariseCpu: the sampling time and the core count must be positive');
  const pctCore = (cpuSeconds / wallSeconds) * 100;
  const cpuPctMachine = pctCore / cores;
  const perCameraPctCore = cameras > 0 ? pctCore / cameras : NaN;
  const perCameraPctMachine = perCameraPctCore / cores;
  const maxCamerasWithinTarget = cameras > 0 && perCameraPctMachine > 0 ? Math.floor(targetPctMachine / perCameraPctMachine + 1e-9) : 0;
  return { cpuPctMachine, perCameraPctCore, maxCamerasWithinTarget };
}

/** One wall tile as its reflected attributes show it (ww-tile: camera-id, state, frames, link-live). */
export interface TileSnapshot {
  camera: string;
  state: string;
  frames: number;
  /** False when the link monitor keeps the tile on refreshed stills. */
  linkLive: boolean;
}

export interface WallSummary {
  tiles: number;
  /** Tiles playing and decoding new frames over the window. */
  tilesLive: number;
  /** Tiles held on stills by the link monitor (a poor link). */
  tilesStills: number;
  /** Decoded frames per second of each camera tile over the window, in the wall's order. */
  fps: number[];
  fpsMin: number;
  fpsMedian: number;
}

/** Compares two snapshots of the same wall `seconds` apart. */
export function summariseWall(before: readonly TileSnapshot[], after: readonly TileSnapshot[], seconds: number): WallSummary {
  const withCamera = after.filter((t) => t.camera);
  const fps = withCamera.map((t) => {
    const b = before.find((x) => x.camera === t.camera);
    return b && seconds > 0 ? Math.max(0, t.frames - b.frames) / seconds : 0;
  });
  const sorted = [...fps].sort((a, b) => a - b);
  return {
    tiles: withCamera.length,
    tilesLive: withCamera.filter((t, i) => t.state === 'playing' && fps[i]! > 0).length,
    tilesStills: withCamera.filter((t) => !t.linkLive).length,
    fps,
    fpsMin: sorted.length ? sorted[0]! : 0,
    fpsMedian: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : 0,
  };
}
