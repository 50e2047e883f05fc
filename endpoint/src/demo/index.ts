/**
 * The demo cameras' side of @wardwall/endpoint (`@wardwall/endpoint/demo`): ffmpeg test-pattern
 * publishers (DemoCameras for the demo ward, FaultCamera for the health detectors' scenes) and the
 * ffmpeg arguments they are built from, which the zoo and the test publishers reuse.
 */
export { DemoCameras } from './demo-cameras.js';
export { FaultCamera } from './fault-camera.js';
export { FAULT_SCENES, faultCameraArgs, faultSceneFilterGraph, sceneCommand, type FaultCameraSpec, type FaultScene } from './fault-scene-args.js';
export { DEFAULT_FONT, PUBLISH_TRANSPORT, demoCameraArgs, demoFilterGraph, encoderArgs, escapeDrawtext, type DemoCameraSpec } from './demo-args.js';
