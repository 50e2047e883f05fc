/**
 * The recorder's audit appends, through the SFU: `POST /api/internal/audit` on the SFU's own port
 * with a service token. The recorder never writes the SFU's database and never reads the audit
 * chain key (only the SFU keys the chain). An append that does not get its seq back throws
 * AUDIT_UNAVAILABLE (503): the action that needed it is refused. The last failure is kept for the
 * recorder's /api/health.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Logger } from 'pino';
import { AppError, ErrorCode, type Config } from '@wardwall/common';
import { SERVICE_HEADER, signServiceToken } from './token.js';

export interface AuditAppend {
  user: string;
  session?: string | null;
  action: string;
  camera: string | null;
  detail: Record<string, unknown>;
}

export interface AuditClientStatus {
  ok: boolean;
  lastError: string | null;
  failedAt: number | null;
}

export interface AuditClient {
  append(e: AuditAppend): Promise<number>;
  status(): AuditClientStatus;
}

const INTERNAL_AUDIT_PATH = '/api/internal/audit';

export function sfuAuditClient(config: Readonly<Config>, secret: Buffer, log: Logger, now: () => number = Date.now, timeoutMs = 5000): AuditClient {
  const host = config.sfu.host === '0.0.0.0' || config.sfu.host === '::' ? '127.0.0.1' : config.sfu.host;
  const tls = config.sfu.tls;
  // The SFU's own certificate is trusted (self-signed or not); its name is not checked (loopback).
  let ca: string[] | null = null;
  const certificate = (): string[] => {
    if (ca) return ca;
    const file = tls === 'self-signed' ? join(config.sfu.dataDir, 'tls', 'self-signed-cert.pem') : tls!.cert;
    ca = [...rootCertificates, readFileSync(file, 'utf8')];
    return ca;
  };
  let failure: { error: string; at: number } | null = null;
  const post = (body: string): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), [SERVICE_HEADER]: signServiceToken(secret, now()) };
      const opts = { host, port: config.sfu.port, method: 'POST', path: INTERNAL_AUDIT_PATH, headers, timeout: timeoutMs };
      const done = (res: import('node:http').IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text = (text + c).slice(0, 4000)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      };
      const req = tls === null ? httpRequest(opts, done) : httpsRequest({ ...opts, ca: certificate(), checkServerIdentity: () => undefined }, done);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  return {
    async append(e) {
      let reason: string;
      try {
        const r = await post(JSON.stringify({ user: e.user.slice(0, 120), session: e.session ? e.session.slice(0, 8) : null, action: e.action, camera: e.camera, detail: e.detail }));
        if (r.status === 201) {
          const seq = (JSON.parse(r.text) as { seq?: unknown }).seq;
          if (typeof seq === 'number') {
            failure = null;
            return seq;
          }
        }
        let code = '';
        try {
          code = String((JSON.parse(r.text) as { code?: unknown }).code ?? '');
        } catch {
          /* not JSON */
        }
        reason = `the SFU answered ${r.status}${code ? ` ${code}` : ''}`;
      } catch (err) {
        reason = `the SFU does not answer (${(err as Error).message})`;
      }
      failure = { error: reason, at: now() };
      log.error({ err: reason, action: e.action, camera: e.camera }, 'audit append failed; the action is refused');
      throw new AppError(ErrorCode.AUDIT_UNAVAILABLE, 'the audit trail cannot be written: the action is refused', 503);
    },
    status: () => ({ ok: failure === null, lastError: failure?.error ?? null, failedAt: failure?.at ?? null }),
  };
}
