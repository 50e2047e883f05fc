/**
 * @wardwall/server-kit: the node-only HTTP pieces the SFU and the recorder share, so that both
 * services route, read bodies, refuse cross-site requests and reply with coded errors the same way.
 */
export * from './router.js';
export * from './origin.js';
export * from './body.js';
export * from './app-db.js';
export * from './route-path.js';
export * from './openapi.js';
export * from './metrics-access.js';
export * from './metrics-samples.js';
export * from './closer.js';
export * from './log.js';
export * from './config-file.js';
export * from './jsonc.js';
export * from './ports.js';
export * from './supervisor.js';
export * from './entry.js';
export * from './rtsp/index.js';
export * from './rtp/rtp-packet.js';
export * from './rtp/rtp-rewriter.js';
export * from './rtp/h264-depacketizer.js';
export * from './rtp/h264-parameter-sets.js';
export * from './rtp/h264-sps.js';
export * from './rtp/gop-keeper.js';
