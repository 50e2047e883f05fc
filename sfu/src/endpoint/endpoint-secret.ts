/**
 * The embedded endpoint's secret: 32 random bytes (hex) in a 0600 file `endpoint-secret` beside the
 * token secret (auth.secretFile's folder, by default sfu.dataDir), created at first start by whichever
 * process needs it first (the endpoint, the demo publishers' launcher, the SFU or the recorder; the
 * creation is exclusive, see auth/secret.ts). Nothing passes it on a command line or in the
 * environment: each process reads the file. From it are derived
 * - the read password of the internal pulls (RTSP Basic, user `wardwall-pull`);
 * - the publish key of every plain stream path (`live/demo-1` …), `pk_` + 43 base64url characters.
 * A separate file from the token secret, so that rotating one does not touch the other, and a key
 * derived here can never sign a session.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ENDPOINT_PULL_USER, type Config, type EndpointReadAuth } from '@wardwall/common';
import { loadOrCreateSecret, secretFilePath } from '@wardwall/accounts';

export function endpointSecretPath(config: Readonly<Config>): string {
  return join(dirname(secretFilePath(config)), 'endpoint-secret');
}

export function loadEndpointSecret(file: string): Buffer {
  return loadOrCreateSecret(file);
}

/** The pulls' RTSP credentials. */
export function readAuth(secret: Buffer): EndpointReadAuth {
  return { user: ENDPOINT_PULL_USER, password: createHmac('sha256', secret).update('wardwall-endpoint-read').digest('base64url') };
}

/** The publish key of a plain stream path (`live/<name>`). */
export function publishKey(secret: Buffer, path: string): string {
  return `pk_${createHmac('sha256', secret).update(`wardwall-endpoint-publish\0${path}`).digest('base64url').slice(0, 43)}`;
}

/** Constant-time string comparison (false on any length difference). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The credentials of the internal pulls for this config, or null when the embedded endpoint is off. */
export function endpointReadAuth(config: Readonly<Config>, enabled: boolean): EndpointReadAuth | null {
  return enabled ? readAuth(loadEndpointSecret(endpointSecretPath(config))) : null;
}
