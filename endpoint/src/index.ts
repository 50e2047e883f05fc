/**
 * @wardwall/endpoint: the embedded RTSP/RTMP endpoint (a process of its own, endpoint-main.ts,
 * supervised by whoever calls startEmbedded: `npm start`, the test systems, the benches) and the
 * synthetic demo cameras that publish into it. The SFU and the recorder only need the read
 * credentials of their pulls (`@wardwall/endpoint/secret`); the demo's ffmpeg cameras are in
 * `@wardwall/endpoint/demo`.
 */
export { startEmbedded, endpointPublishUrl, type Embedded } from './embedded.js';
