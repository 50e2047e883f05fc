/**
 * Pure builder for a synthetic camera whose picture can be switched at runtime between a healthy
 * scene and the faults camera health must detect: black, covered (near-uniform), frozen (a looped
 * still of its own scene), moved (another scene) and defocused (blurred). One ffmpeg process renders
 * every scene and a `streamselect` filter picks one; the switch is a filter command written to
 * ffmpeg's stdin, so the stream itself never restarts (as with a real camera being attacked).
 */
import { demoFilterGraph, encoderArgs, PUBLISH_TRANSPORT, type DemoCameraSpec } from './demo-args.js';

export const FAULT_SCENES = ['normal', 'black', 'covered', 'frozen', 'moved', 'defocused'] as const;
export type FaultScene = (typeof FAULT_SCENES)[number];

export type FaultCameraSpec = Omit<DemoCameraSpec, 'subUrl'>;

export function faultSceneFilterGraph(spec: FaultCameraSpec, scene: FaultScene = 'normal'): string {
  const { width: w, height: h, fps } = spec;
  const size = `${w}x${h}`;
  const retime = `setpts=N/(${fps}*TB)`;
  return [
    // normal: the demo camera's own moving scene (name, clock, strip, walker)
    demoFilterGraph({ ...spec }),
    `[main]split=3[n0][n1][n2]`,
    `color=c=black:size=${size}:rate=${fps}[black]`,
    // covered: a grey, nearly uniform picture with a little sensor noise
    `color=c=0x8a8a8a:size=${size}:rate=${fps},noise=alls=3:allf=t,format=yuv420p[covered]`,
    // frozen: the scene's first frame, repeated (a hung encoder or a looped still)
    `[n1]trim=end_frame=1,loop=loop=-1:size=1,${retime}[frozen]`,
    // moved: another scene that still moves
    `smptehdbars=size=${size}:rate=${fps}[bars]`,
    `color=c=white:size=${Math.round(w / 10)}x${Math.round(h / 4)}:rate=${fps}[box]`,
    `[bars][box]overlay=x='mod(t*${Math.round(w / 4)},W)':y=${Math.round(h / 3)},format=yuv420p[moved]`,
    // defocused: the scene through a strong blur
    `[n2]gblur=sigma=${Math.max(4, Math.round(w / 40))},format=yuv420p[defocused]`,
    `[n0][black][covered][frozen][moved][defocused]streamselect=inputs=${FAULT_SCENES.length}:map=${FAULT_SCENES.indexOf(scene)},format=yuv420p[cam]`,
  ].join(';');
}

/** ffmpeg arguments; stdin must stay open (scene switches arrive there). */
export function faultCameraArgs(spec: FaultCameraSpec, scene: FaultScene = 'normal'): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-filter_complex', faultSceneFilterGraph(spec, scene),
    '-map', '[cam]', ...encoderArgs(spec, spec.bitrateKbps), '-f', 'rtsp', '-rtsp_transport', PUBLISH_TRANSPORT, spec.mainUrl,
  ];
}

/** The line to write to ffmpeg's stdin to show `scene` ('c': send a command to the first matching filter). */
export function sceneCommand(scene: FaultScene): string {
  return `cstreamselect -1 map ${FAULT_SCENES.indexOf(scene)}\n`;
}
