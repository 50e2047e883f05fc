/** Reading the wall's tiles from a page (their reflected test attributes) and asserting decoded frames. */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { waitFor } from './system.js';

export interface TileState {
  index: number;
  camera: string;
  state: string;
  frames: number;
  stream: string;
  linkLive: boolean;
}

export function readTiles(page: Page): Promise<TileState[]> {
  return page.locator('ww-tile:not([hidden])').evaluateAll((els) =>
    els.map((e) => ({
      index: Number(e.getAttribute('data-index')),
      camera: e.getAttribute('camera-id') ?? '',
      state: e.getAttribute('state') ?? '',
      frames: Number(e.getAttribute('frames') ?? 0),
      stream: e.getAttribute('stream') ?? '',
      linkLive: e.hasAttribute('link-live'),
    })),
  );
}

/** The cameras of the visible tiles, in order ('' for an empty tile). */
export async function shownCameras(page: Page): Promise<string[]> {
  return (await readTiles(page)).map((t) => t.camera);
}

/** Every listed camera's tile is playing and presents new decoded frames over `ms` (at least `minFps` on average). */
export async function assertPlaying(page: Page, cams: string[], label: string, ms = 2000, timeoutMs = 20000, minFps = 4): Promise<void> {
  await waitFor(`${label}: tiles playing`, async () => {
    const ts = await readTiles(page);
    return cams.every((c) => ts.find((t) => t.camera === c && t.state === 'playing' && t.frames > 0));
  }, timeoutMs, 200);
  const before = await readTiles(page);
  await new Promise((r) => setTimeout(r, ms));
  const later = await readTiles(page);
  for (const c of cams) {
    const a = before.find((t) => t.camera === c)?.frames ?? 0;
    const b = later.find((t) => t.camera === c)?.frames ?? 0;
    assert.ok(b - a >= (ms / 1000) * minFps, `${label}: ${c} decoded ${b - a} frames in ${ms} ms`);
  }
}

/** The ports of the remote (SFU) ICE candidates the page's receive transport knows, and of its selected pair. */
export function transportPorts(page: Page): Promise<{ remote: number[]; selected: number | null; protocol: string | null }> {
  return page.evaluate(async () => {
    const w = window as unknown as { __wardwall: { live: { transportStats(): Promise<RTCStatsReport | null> } } };
    const report = await w.__wardwall.live.transportStats();
    const remote: number[] = [];
    let selected: number | null = null;
    let protocol: string | null = null;
    if (!report) return { remote, selected, protocol };
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((r: Record<string, unknown>) => byId.set(String(r.id), r));
    let pairId: string | null = null;
    report.forEach((r: Record<string, unknown>) => {
      if (r.type === 'remote-candidate') remote.push(Number(r.port));
      if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') pairId = r.selectedCandidatePairId;
    });
    if (pairId) {
      const pair = byId.get(pairId);
      const rc = pair ? byId.get(String(pair.remoteCandidateId)) : undefined;
      if (rc) {
        selected = Number(rc.port);
        protocol = String(rc.protocol);
      }
    }
    return { remote, selected, protocol };
  });
}
