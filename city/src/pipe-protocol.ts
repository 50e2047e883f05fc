/**
 * The JSON messages of a city media pipe (docs/city-media.md): what the centre sends in a
 * `pipe.open` / `pipe.close` request and what the ward answers. The SFU's pipe-link.ts builds and
 * reads them; ward-requests.ts checks them on both ends of the NATS request. Pure.
 */
import { z } from 'zod';
import { STREAMS } from '@wardwall/common';

export const PipeErrorCode = {
  /** The request or reply does not have the expected shape. */
  PIPE_BAD_REQUEST: 'PIPE_BAD_REQUEST',
  /** The ward has no such camera stream. */
  PIPE_UNKNOWN_CAMERA: 'PIPE_UNKNOWN_CAMERA',
  /** The camera exists but has no producer now (offline, starting, worker replaced). */
  PIPE_CAMERA_OFFLINE: 'PIPE_CAMERA_OFFLINE',
  /** The other side did not answer in time. */
  PIPE_TIMEOUT: 'PIPE_TIMEOUT',
  /** mediasoup refused (transport, connect, consume or produce failed). */
  PIPE_MEDIA_FAILED: 'PIPE_MEDIA_FAILED',
  /** The pipe manager is closed. */
  PIPE_CLOSED: 'PIPE_CLOSED',
  /** The ward refused the centre's assertion (missing, invalid, or no `live` right on the camera). */
  PIPE_FORBIDDEN: 'PIPE_FORBIDDEN',
} as const;
export type PipeErrorCode = (typeof PipeErrorCode)[keyof typeof PipeErrorCode];

const SrtpSchema = z.object({
  cryptoSuite: z.enum(['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']),
  keyBase64: z.string().min(1).max(200),
});

/** Where one half of a pipe listens, and the SRTP key it sends with. */
export const PipeEndpointSchema = z.object({
  ip: z.string().min(1).max(64),
  port: z.number().int().min(1).max(65535),
  srtpParameters: SrtpSchema,
});
export type PipeEndpoint = z.infer<typeof PipeEndpointSchema>;

const IdSchema = z.string().min(1).max(100);

export const PipeOpenRequestSchema = z.object({
  pipeId: IdSchema,
  cameraId: IdSchema,
  stream: z.enum(STREAMS),
  centre: PipeEndpointSchema,
  /** The centre's signed assertion of the central user the pipe is opened for (docs/city.md). */
  assertion: z.string().max(4096).optional(),
  /**
   * The centre SFU's instance id (city-protocol.ts `centreHeartbeatSchema`), optional: the ward drops
   * the pipe when that instance is dead (its node restarted, or no heartbeat of it for a while).
   */
  centreInstance: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
});
export type PipeOpenRequest = z.infer<typeof PipeOpenRequestSchema>;

const RtpParametersSchema = z
  .object({
    codecs: z.array(z.object({ mimeType: z.string(), payloadType: z.number().int(), clockRate: z.number().int() }).passthrough()).min(1).max(16),
    encodings: z.array(z.object({}).passthrough()).max(16).optional(),
  })
  .passthrough();

export const PipeOpenReplySchema = z.object({
  pipeId: IdSchema,
  ward: PipeEndpointSchema,
  producer: z.object({
    id: IdSchema,
    kind: z.enum(['audio', 'video']),
    rtpParameters: RtpParametersSchema,
    paused: z.boolean(),
  }),
});
export type PipeOpenReply = z.infer<typeof PipeOpenReplySchema>;

export const PipeCloseRequestSchema = z.object({ pipeId: IdSchema });
export type PipeCloseRequest = z.infer<typeof PipeCloseRequestSchema>;

/** Centre → ward `watch`: one central viewer starts watching a ward camera (the ward checks and audits). */
export const WatchRequestSchema = z.object({ cameraId: IdSchema, stream: z.enum(STREAMS), assertion: z.string().min(1).max(4096) }).strict();
export type WatchRequest = z.infer<typeof WatchRequestSchema>;
/** `{watching: true}` or a refusal `{refused: {status: 401|403, code, message}}`. */
export const WatchReplySchema = z.union([
  z.object({ watching: z.literal(true) }).strict(),
  z.object({ refused: z.object({ status: z.union([z.literal(401), z.literal(403)]), code: z.string().max(64), message: z.string().max(300) }).strict() }).strict(),
]);
export type WatchReply = z.infer<typeof WatchReplySchema>;

/** A refusal on the wire: `{error: {code, message}}`. */
export const PipeErrorReplySchema = z.object({ error: z.object({ code: z.enum(Object.values(PipeErrorCode) as [PipeErrorCode, ...PipeErrorCode[]]), message: z.string().max(500) }) });

/** Ward → centre event (`city.<ward>.evt.pipe.closed`): the ward closed a pipe by itself (camera producer gone). */
export const PipeClosedEventSchema = z.object({ pipeId: IdSchema, why: z.string().max(200) }).strict();
export type PipeClosedEvent = z.infer<typeof PipeClosedEventSchema>;
