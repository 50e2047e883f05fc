// A real ward namespace and shaped veth link (root needed): TCP across it, the shaping that the kernel
// really applies, byte counters, cut and restore, and cleanup that leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WardNetns, destroyAll } from '../city/netns.js';

// Inside the ward: "e" echoes a byte; "b<N>\n" sends N bytes and closes.
const SERVER = `
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 7070)); s.listen(8)
print("ready", flush=True)
def serve(c):
    f = c.makefile("rb")
    while True:
        ch = f.read(1)
        if not ch: break
        if ch == b"e": c.sendall(b"e")
        elif ch == b"b":
            n = int(f.readline()); c.sendall(b"x" * n); break
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
`;

function open(ip: string, port: number, timeoutMs = 3000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: ip, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('connect timed out'));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function echoRtt(s: Socket): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    s.once('data', () => resolve());
    s.write('e');
  });
  return performance.now() - t0;
}

async function bulk(ip: string, n: number): Promise<{ bytes: number; ms: number }> {
  const s = await open(ip, 7070);
  const t0 = performance.now();
  let bytes = 0;
  s.on('data', (d: Buffer) => (bytes += d.length));
  s.write(`b${n}\n`);
  await new Promise((r) => s.once('close', r));
  return { bytes, ms: performance.now() - t0 };
}

test('a ward namespace: shaped link, counters, cut and restore, clean removal', { timeout: 60000 }, async (t) => {
  const prefix = `wwt${randomBytes(2).toString('hex')}`;
  const index = 200 + Math.floor(Math.random() * 50);
  const shape = { delayMs: 40, lossPct: 0, rateMbit: 8 };
  const ward = await WardNetns.create(prefix, index, shape);
  const { command, args } = ward.execArgs('/usr/bin/python3', ['-u', '-c', SERVER]);
  const server = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(async () => {
    server.kill('SIGKILL');
    await ward.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.stdout.once('data', () => resolve());
    server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const shaping = ward.shaping!;
  t.diagnostic(`shaping method ${shaping.method} (delay emulated: ${shaping.delayEmulated}, loss emulated: ${shaping.lossEmulated})`);
  assert.ok(execFileSync('tc', ['qdisc', 'show', 'dev', ward.plan.hostIf], { encoding: 'utf8' }).includes(shaping.method.split('+')[0]!));
  if (shaping.method === 'tbf+nfqueue') assert.match(execFileSync('iptables', ['-t', 'mangle', '-S', 'POSTROUTING'], { encoding: 'utf8' }), new RegExp(`-o ${ward.plan.hostIf} .*NFQUEUE`));

  // Round trip: with netem each direction carries the delay; the echo cannot come back sooner.
  const s = await open(ward.plan.wardIp, 7070);
  const rtts: number[] = [];
  for (let i = 0; i < 5; i++) rtts.push(await echoRtt(s));
  s.destroy();
  t.diagnostic(`echo round trips ms: ${rtts.map((r) => r.toFixed(1)).join(' ')}`);
  if (shaping.delayEmulated) assert.ok(Math.min(...rtts) >= 2 * shape.delayMs, `round trip ${Math.min(...rtts)} ms < 2 x ${shape.delayMs} ms`);

  // Rate: 1 MB from the ward cannot arrive faster than the link's rate allows (a lower bound).
  const before = await ward.counters();
  const n = 1_000_000;
  const b = await bulk(ward.plan.wardIp, n);
  const after = await ward.counters();
  const minMs = ((n * 8) / (shape.rateMbit * 1e6)) * 1000;
  t.diagnostic(`1 MB ward -> centre in ${b.ms.toFixed(0)} ms (rate floor ${minMs.toFixed(0)} ms); veth rx +${after.fromWardBytes - before.fromWardBytes} B`);
  assert.equal(b.bytes, n);
  assert.ok(b.ms >= minMs * 0.85, `1 MB in ${b.ms} ms: faster than ${shape.rateMbit} Mbit/s`);
  assert.ok(after.fromWardBytes - before.fromWardBytes >= n, 'the centre end counted the bytes from the ward');

  // Cut: nothing crosses; restore: the same address answers again, nothing rebuilt.
  await ward.cut();
  await assert.rejects(open(ward.plan.wardIp, 7070, 1500));
  await ward.restore();
  let back: Socket | null = null;
  for (let i = 0; i < 20 && !back; i++) back = await open(ward.plan.wardIp, 7070, 1500).catch(() => null);
  assert.ok(back, 'the ward answers after the link is restored');
  assert.ok((await echoRtt(back)) > 0);
  back.destroy();

  server.kill('SIGKILL');
  await ward.destroy();
  assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(ward.plan.ns), 'namespace removed');
  assert.ok(!execFileSync('ip', ['link', 'show'], { encoding: 'utf8' }).includes(ward.plan.hostIf), 'veth removed');
  assert.ok(!execFileSync('ip', ['route', 'show'], { encoding: 'utf8' }).includes(`10.77.${index}.`), 'routes removed');
  assert.deepEqual(await destroyAll(prefix), [], 'nothing left under the prefix');
  if (shaping.method === 'tbf+nfqueue') assert.doesNotMatch(execFileSync('iptables', ['-t', 'mangle', '-S', 'POSTROUTING'], { encoding: 'utf8' }), new RegExp(`-o ${ward.plan.hostIf} `), 'root rule removed');
});
