/**
 * The one place the SFU ingest turns a camera URL into the URL it opens: a stream on the embedded
 * endpoint gets the internal read credentials (the endpoint serves plays to nobody else).
 */
import { endpointEnabled, endpointPullUrl, type Config } from '@wardwall/common';
import { endpointReadAuth } from '@wardwall/endpoint/secret';

export type PullUrl = (url: string) => string;

export function ingestPullUrl(config: Readonly<Config>): PullUrl {
  const auth = endpointReadAuth(config, endpointEnabled(config));
  return (url) => endpointPullUrl(url, config.endpoint, auth);
}
