/**
 * Incremental parser for multipart image streams (GStreamer's multipartmux, ffmpeg's mpjpeg):
 * "--boundary\r\nContent-Type: image/jpeg\r\nContent-Length: N\r\n\r\n<N bytes>\r\n" repeated.
 * Pure: feed chunks, get complete images. Parts without a usable Content-Length are skipped
 * by resynchronising on the next boundary.
 */
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER = 4096;

export class MultipartParser {
  private buf: Buffer = Buffer.alloc(0);
  private readonly marker: Buffer;

  constructor(
    boundary: string,
    private readonly maxPartBytes = 8 * 1024 * 1024,
  ) {
    this.marker = Buffer.from(`--${boundary}`);
  }

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const images: Buffer[] = [];
    for (;;) {
      const start = this.buf.indexOf(this.marker);
      if (start < 0) {
        // Keep only a tail that could hold the start of a marker.
        this.buf = this.buf.subarray(Math.max(0, this.buf.length - this.marker.length));
        return images;
      }
      const headerEnd = this.buf.indexOf(HEADER_END, start);
      if (headerEnd < 0) {
        if (this.buf.length - start > MAX_HEADER) this.buf = this.buf.subarray(start + this.marker.length);
        else this.buf = this.buf.subarray(start);
        return images;
      }
      const headers = this.buf.subarray(start, headerEnd).toString('latin1');
      const m = /content-length:\s*(\d+)/i.exec(headers);
      const bodyStart = headerEnd + HEADER_END.length;
      const length = m ? Number(m[1]) : NaN;
      if (!Number.isFinite(length) || length <= 0 || length > this.maxPartBytes) {
        this.buf = this.buf.subarray(start + this.marker.length);
        continue;
      }
      if (this.buf.length < bodyStart + length) {
        this.buf = this.buf.subarray(start);
        return images;
      }
      images.push(Buffer.from(this.buf.subarray(bodyStart, bodyStart + length)));
      this.buf = this.buf.subarray(bodyStart + length);
    }
  }
}
