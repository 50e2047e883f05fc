/**
 * Glass-to-glass latency read in the page from a playing <video>: for each presented frame
 * (requestVideoFrameCallback), the demo camera's timestamp strip (common/timestrip.ts, decoded by
 * the page helpers of bench/common.ts: BENCH_PAGE_HELPERS must be in the page) against the frame's
 * expected display time. The same reader serves the wall's tile and the Janus reference's video.
 */
import type { ElementHandle, Page } from 'playwright-core';

export interface StripSamples {
  /** Display time − capture time of each decoded frame, ms. */
  g2g: number[];
  /** Last packet received − capture time, ms (when the browser reports receiveTime). */
  recv: number[];
  /** Frames whose strip did not decode to a plausible time. */
  bad: number;
  frames: number;
}

export function readStripLatency(page: Page, video: ElementHandle<HTMLVideoElement>, seconds: number): Promise<StripSamples> {
  return page.evaluate(
    ([v, secs]) =>
      new Promise<StripSamples>((resolve) => {
        const b = (window as unknown as { __bench: { decodeStripFromRgba: (d: Uint8ClampedArray, w: number, h: number, now: number) => number | null; stripHeight: (w: number) => number } }).__bench;
        const video = v as HTMLVideoElement;
        const canvas = document.createElement('canvas');
        const ctx2d = canvas.getContext('2d', { willReadFrequently: true })!;
        const out: StripSamples = { g2g: [], recv: [], bad: 0, frames: 0 };
        const end = performance.now() + (secs as number) * 1000;
        const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
          out.frames++;
          const w = meta.width;
          const sh = b.stripHeight(w);
          if (canvas.width !== w || canvas.height !== sh) {
            canvas.width = w;
            canvas.height = sh;
          }
          ctx2d.drawImage(video, 0, 0, w, sh, 0, 0, w, sh);
          const img = ctx2d.getImageData(0, 0, w, sh);
          const shown = performance.timeOrigin + meta.expectedDisplayTime;
          const captured = b.decodeStripFromRgba(img.data, w, sh, shown);
          if (captured === null || shown - captured < 0 || shown - captured > 5000) out.bad++;
          else {
            out.g2g.push(shown - captured);
            if (meta.receiveTime !== undefined) out.recv.push(performance.timeOrigin + meta.receiveTime - captured);
          }
          if (performance.now() < end) video.requestVideoFrameCallback(onFrame);
          else resolve(out);
        };
        video.requestVideoFrameCallback(onFrame);
      }),
    [video, seconds] as const,
  );
}
