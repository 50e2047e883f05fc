/**
 * The one place the recorder turns a camera URL into the URL its ffmpeg opens: a stream on the
 * embedded endpoint gets the internal read credentials (the endpoint serves plays to nobody else).
 */
import { endpointEnabled, endpointPullUrl, type Config } from '@wardwall/common';
import { endpointReadAuth } from '@wardwall/endpoint/secret';

export type PullUrl = (url: string) => string;

export function recorderPullUrl(config: Readonly<Config>): PullUrl {
  const auth = endpointReadAuth(config, endpointEnabled(config));
  return (url) => endpointPullUrl(url, config.endpoint, auth);
}
