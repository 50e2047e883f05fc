/** RTSP client (interleaved RTP over TCP) for the relay ingest: see docs/rtsp-client.md. */
export * from './rtsp-error.js';
export * from './rtsp-message.js';
export * from './rtsp-framer.js';
export * from './rtsp-auth.js';
export * from './sdp-tracks.js';
export * from './rtsp-client.js';
