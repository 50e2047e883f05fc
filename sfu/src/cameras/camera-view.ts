/**
 * What the admin API shows of a camera: URLs with the password masked (`redactPassword`), the
 * ONVIF password never (only whether one is set), and the live state of its main stream.
 */
import { redactPassword, type CameraConfig, type StreamStatus } from '@wardwall/common';
import { stationCameraConfig, type StationCameraRow } from '@wardwall/common/node';

export interface CameraView {
  id: string;
  name: string;
  main: string;
  sub: string | null;
  transcode: boolean | 'auto';
  /** null: default (on). */
  audio: boolean | null;
  enabled: boolean;
  /** 'station': stored, editable; 'demo': a demo camera of the config (not editable here). */
  source: 'station' | 'demo';
  ptz: boolean;
  status: StreamStatus | null;
}

export function stationView(row: StationCameraRow, status: StreamStatus | null): CameraView {
  const c = stationCameraConfig(row);
  return { ...base(c), enabled: row.enabled === 1, source: 'station', status };
}

export function demoView(c: CameraConfig, status: StreamStatus | null): CameraView {
  return { ...base(c), enabled: true, source: 'demo', status };
}

function base(c: CameraConfig) {
  return { id: c.id, name: c.name, main: redactPassword(c.main), sub: c.sub ? redactPassword(c.sub) : null, transcode: c.transcode, audio: c.audio ?? null, ptz: c.onvif !== undefined };
}
