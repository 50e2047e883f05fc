/**
 * HTTPS for the wall (`sfu.tls`): PEM files from the config, or "self-signed": a certificate
 * generated once by Debian's `openssl` binary and kept in `<sfu.dataDir>/tls/` (a LAN install has
 * no public name to certify; browsers ask once to trust it).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '@wardwall/common';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** subjectAltName entries for the generated certificate. Pure. */
export function altNames(config: Readonly<Config>): string {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  for (const h of [config.sfu.host, config.sfu.webrtc.announcedAddress]) {
    if (!h || h === '0.0.0.0' || h === '::') continue;
    names.add(isIP(h) ? `IP:${h}` : `DNS:${h}`);
  }
  return [...names].join(',');
}

/**
 * Arguments of `openssl req -x509` for the station's certificate: a leaf for a TLS server, never a
 * CA (a trusted CA certificate whose key sits on the server could sign any site's certificate). Pure.
 */
export function selfSignedArgs(config: Readonly<Config>): string[] {
  return [
    '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825', '-subj', '/CN=wardwall',
    '-addext', `subjectAltName=${altNames(config)}`,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', 'extendedKeyUsage=serverAuth',
  ];
}

/** Whether a PEM certificate file is a CA certificate (unreadable: treated as not ours, made again). */
function isCa(file: string): boolean {
  try {
    return new X509Certificate(readFileSync(file)).ca;
  } catch {
    return true;
  }
}

export function loadTls(config: Readonly<Config>): TlsFiles | null {
  const tls = config.sfu.tls;
  if (tls === null) return null;
  if (tls !== 'self-signed') {
    try {
      return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
    } catch (e) {
      throw new Error(`config error: sfu.tls: cannot read the certificate or key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    }
  }
  const dir = join(config.sfu.dataDir, 'tls');
  const cert = join(dir, 'self-signed-cert.pem');
  const key = join(dir, 'self-signed-key.pem');
  // A certificate made by an older version was a CA (openssl's default for -x509): made again.
  if (!existsSync(cert) || !existsSync(key) || isCa(cert)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      execFileSync('openssl', ['req', '-x509', ...selfSignedArgs(config), '-keyout', key, '-out', cert], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60000 });
    } catch (e) {
      throw new Error(`config error: sfu.tls: cannot generate a self-signed certificate with openssl (${(e as Error).message.split('\n')[0]})`, { cause: e });
    }
    chmodSync(key, 0o600);
  }
  return { cert: readFileSync(cert), key: readFileSync(key) };
}
