/**
 * The delay an AAC decoder puts before the first sample of a stream (pure).
 *
 * An AAC-LC encoder starts with a priming frame (1024 samples that decode to the run-up of the
 * filter bank, not to the input): GStreamer's avenc_aac (the recorder's G.711 transcode) stamps that
 * frame with the time of the first input sample, and a camera's RTP timestamps put each access unit
 * at the time of its own content. A recording in MPEG-TS or fragmented MP4 carries no edit list, so
 * every decoder (ffmpeg, the browsers) plays those 1024 samples first and the sound comes 1024 samples
 * late: 64 ms at 16 kHz. The recorder writes each AAC frame that much earlier.
 */
const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** Samples of an AAC-LC frame, and of the priming before the first real one. */
export const AAC_FRAME_SAMPLES = 1024;

/** The sample rate in an ADTS header at the start of `frame`, or null when it is not one. */
export function adtsSampleRate(frame: Uint8Array): number | null {
  if (frame.length < 7 || frame[0] !== 0xff || (frame[1]! & 0xf0) !== 0xf0) return null;
  return ADTS_RATES[(frame[2]! >> 2) & 0x0f] ?? null;
}

/** The decoder delay of an ADTS stream starting with `frame`, ms (0 when the header is not ADTS). */
export function aacDecoderDelayMs(frame: Uint8Array): number {
  const rate = adtsSampleRate(frame);
  return rate ? (AAC_FRAME_SAMPLES * 1000) / rate : 0;
}
