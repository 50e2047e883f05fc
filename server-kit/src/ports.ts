import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/** A TCP port free on the given address right now (for tests and the embedded endpoint). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A UDP port free right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, () => {
      const port = sock.address().port;
      sock.close(() => resolve(port));
    });
  });
}

/** A port free right now for both UDP and TCP (the WebRTC port when configured as 0). */
export async function freeUdpTcpPort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freeUdpPort();
    const tcpFree = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
    if (tcpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP');
}
