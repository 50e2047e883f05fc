/**
 * The admin page's Test: probes one camera URL with the ingest's own probe (gst-ingest.py probe
 * mode, URL on stdin), asks for a snapshot, and says what the ingest would do with the stream
 * (ingest-decision.ts) and why. The reply carries no URL and no stderr text: a reason code only.
 */
import type { IngestInfo, OfflineReason } from '@wardwall/common';
import { probeSpec } from '../ingest/pipeline-args.js';
import { runProbe, type ProbeResult } from '../ingest/probe.js';
import { decideIngest } from '../ingest/ingest-decision.js';
import { classifyExit } from '../ingest/offline-reason.js';

export interface CameraTestResult {
  /** The camera answered and sent a stream description. */
  reachable: boolean;
  /** 'ok', 'refused' (401: wrong user or password) or 'unknown' (not reached). */
  authentication: 'ok' | 'refused' | 'unknown';
  /** Why the probe failed (a code the client translates), null when it worked. */
  error: OfflineReason | null;
  /** Codec, profile, B-frames, size, rate, audio, and the decision (passthrough / transcode / unplayable + reason). */
  ingest: IngestInfo | null;
  /** data: URL of a JPEG keyframe (at most 640 px wide), when one was decoded. */
  snapshot: string | null;
}

/** Turns a probe's result into the Test's reply (pure). */
export function testResult(result: ProbeResult, transcode: boolean | 'auto'): CameraTestResult {
  if (!result.report) {
    const error = classifyExit(result.stderrTail, result.code);
    const reachable = error === 'unauthorized' || error === 'not_found' || error === 'unsupported';
    return { reachable, authentication: error === 'unauthorized' ? 'refused' : reachable ? 'ok' : 'unknown', error, ingest: null, snapshot: null };
  }
  const plan = decideIngest(transcode, result.report);
  const snapshot = result.report.snapshot ? `data:image/jpeg;base64,${result.report.snapshot}` : null;
  return { reachable: true, authentication: 'ok', error: null, ingest: plan.info, snapshot };
}

/** Probes `url` (already the URL the ingest opens: see ingest/pull-url.ts). */
export async function testCameraUrl(url: string, transcode: boolean | 'auto', signal?: AbortSignal): Promise<CameraTestResult> {
  return testResult(await runProbe(probeSpec(url, 6000, { snapshot: true }), signal), transcode);
}
