/**
 * Serving a file of the store with HTTP range support (segments to hls.js, export packages): one
 * bytes=a-b range, 206 with Content-Range, 416 when it lies outside the file.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { AppError, ErrorCode } from '@wardwall/common';

/** The byte range a request asks for in a file of `size` bytes: null = the whole file, 'unsatisfiable' = 416. */
export function requestedBytes(req: IncomingMessage, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  const range = req.headers.range;
  if (!range) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw new AppError(ErrorCode.BAD_REQUEST, 'Range: only one bytes=a-b range is supported', 416);
  let start: number;
  let end = size - 1;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
  } else {
    start = Number(m[1]);
    if (m[2] !== '') end = Math.min(end, Number(m[2]));
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}

/** Serves a file (already resolved inside the store) with HTTP range support. */
export function sendFile(req: IncomingMessage, res: ServerResponse, abs: string, type: string, extra: Record<string, string> = {}, limit?: number): void {
  const size = Math.min(statSync(abs).size, limit ?? Infinity);
  const asked = requestedBytes(req, size);
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (asked === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    res.end();
    return;
  }
  if (asked) {
    ({ start, end } = asked);
    status = 206;
  }
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': end - start + 1,
    'Accept-Ranges': 'bytes',
    ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    ...extra,
  });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(abs, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
