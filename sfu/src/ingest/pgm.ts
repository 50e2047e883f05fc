/** Binary PGM (P5, 8-bit) parsing for the keyframe thumbnails the ingest writes. Pure. */
export interface GrayImage {
  width: number;
  height: number;
  /** width*height luma samples, row by row. */
  data: Uint8Array;
}

export function parsePgm(buf: Buffer): GrayImage | null {
  if (buf.length < 8 || buf[0] !== 0x50 || buf[1] !== 0x35) return null; // "P5"
  // Header: P5 <ws> width <ws> height <ws> maxval <single ws> data; comments start with '#'.
  const fields: number[] = [];
  let i = 2;
  while (fields.length < 3 && i < buf.length && i < 256) {
    const c = buf[i]!;
    if (c === 0x23) {
      while (i < buf.length && buf[i] !== 0x0a) i++;
    } else if (c >= 0x30 && c <= 0x39) {
      let v = 0;
      while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) v = v * 10 + (buf[i++]! - 0x30);
      fields.push(v);
      continue;
    }
    i++;
  }
  const [width, height, maxval] = fields;
  if (!width || !height || maxval !== 255) return null;
  const start = i + 1; // exactly one whitespace byte follows maxval
  if (buf.length - start < width * height) return null;
  return { width, height, data: new Uint8Array(buf.buffer, buf.byteOffset + start, width * height) };
}

/** Whether a multipart body is a JPEG (the still) or something else. */
export function isJpeg(buf: Buffer): boolean {
  return buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8;
}
