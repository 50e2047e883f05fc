/**
 * 10,000 randomly malformed or oversized signaling messages from four signed-in connections against
 * a running SFU with access control on (loopback, paced to 200 messages/s per connection): only
 * error replies, no crash, and a signed-in viewer's tile in Chromium keeps decoding frames while its
 * consumer on the server keeps sending RTP packets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ErrorCode, CLIENT_MESSAGE_TYPES, type ServerMessage } from '@wardwall/common';
import { createUser, startTestSystem, waitFor, wsClient, type TestSystem, type WsClient } from '@wardwall/testing/system';
import { launchChromium, signInBrowser, openPage } from '@wardwall/testing/browser';

const TOTAL = 10_000;
const CONNECTIONS = 4;
const BATCH = 100;
const BATCH_MS = 500;

let sys: TestSystem;
let browser: Browser;
let page: Page;
before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, auth: true });
  await createUser(sys, { username: 'viewer', role: 'viewer', displayName: 'Viewer' });
  await createUser(sys, { username: 'nobody', role: 'viewer', cameraRules: [{ camera: '*', permissions: [] }] });
  await waitFor('camera live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  await signInBrowser(context, sys.url, 'viewer', 'viewer-password');
  page = await openPage(context);
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One malformed message: never a valid request (every JSON object also carries an unknown field or a bad value). */
function malformed(r: () => number): string | Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(r() * 0xffff))).join('');
  const type = pick([...CLIENT_MESSAGE_TYPES, 'nope', '', '__proto__', 'constructor']);
  const values = [null, -1, 1e308, 'x', '../../etc/passwd', 'demo-1\r\nX: y', [], {}, true, 'a'.repeat(100), { $gt: '' }];
  switch (Math.floor(r() * 10)) {
    case 0:
      return junk(1 + Math.floor(r() * 200)); // not JSON
    case 1:
      return pick(['[]', '1', '"hello"', 'null', 'true', '[{"type":"hello","id":1}]']);
    case 2:
      return JSON.stringify({ id: Math.floor(r() * 1e6), type, junk: pick(values) }); // unknown field
    case 3: {
      const m: Record<string, unknown> = { id: pick([1, -5, 1.5, 'x', null]), type, transportId: pick(values), consumerId: pick(values), cameraId: pick(values), stream: pick(['main', 'sub', 'x', 3]), rtpCapabilities: pick(values) };
      m.extra = 1;
      return JSON.stringify(m);
    }
    case 4:
      return JSON.stringify({ id: 1, type, pad: 'x'.repeat(65 * 1024 + Math.floor(r() * 250 * 1024)) }); // over maxMessageBytes
    case 5:
      return Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
    case 6:
      return `{"id":1,"type":"connectTransport","transportId":"t","dtlsParameters":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)},"x":1}`;
    case 7:
      return `{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"type":"hello","id":7,"x":1}`;
    case 8:
      return `{"id":${pick(['1e400', '-0', '99999999999999999999', '0x10'])},"type":"${type}","x":1}`;
    default:
      return JSON.stringify({ id: 9, type: 'consume', transportId: 'x'.repeat(65), cameraId: pick(['DEMO-1', '../x', '', 'a'.repeat(70)]), stream: 'main', rtpCapabilities: {} });
  }
}

async function fuzz(c: WsClient, count: number, seed: number): Promise<ServerMessage[]> {
  const r = rng(seed);
  const replies: ServerMessage[] = [];
  c.ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    if (m.type === 'response') replies.push(m);
  });
  for (let sent = 0; sent < count; ) {
    const started = Date.now();
    for (let i = 0; i < BATCH && sent < count; i++, sent++) c.ws.send(malformed(r));
    const want = sent;
    await waitFor(`replies to ${want}`, () => replies.length >= want, 30000, 20);
    await new Promise((res) => setTimeout(res, Math.max(0, BATCH_MS - (Date.now() - started))));
  }
  return replies;
}

async function consumerPackets(): Promise<number> {
  const session = sys.sfu.signaling.openSessions().find((s) => s.principal?.username === 'viewer' && s.consumers.size > 0);
  if (!session) return 0;
  let packets = 0;
  for (const { consumer } of session.consumers.values()) for (const s of (await consumer.getStats()) as { type: string; packetCount?: number }[]) if (s.type === 'outbound-rtp') packets += s.packetCount ?? 0;
  return packets;
}

const tileFrames = () => page.locator('ww-tile[camera-id="demo-1"]').first().evaluate((e) => Number(e.getAttribute('frames') ?? 0));

test('10,000 malformed or oversized messages from 4 connections: error replies only, no crash, the viewer keeps playing', async () => {
  await page.goto(sys.url);
  await page.locator('ww-camera-list [data-camera-id="demo-1"]').first().click();
  await waitFor('viewer tile playing', async () => (await tileFrames().catch(() => 0)) > 0, 30000, 200);
  const before = { frames: await tileFrames(), packets: await waitFor('viewer consumer sending', consumerPackets, 10000) };

  const clients = [await wsClient(sys.url, await sys.signIn()), await wsClient(sys.url, await sys.signIn()), await wsClient(sys.url, await sys.signIn()), await wsClient(sys.url, await sys.signIn('nobody', 'nobody-password'))];
  const per = TOTAL / CONNECTIONS;
  const started = Date.now();
  const mid: { frames: number; packets: number }[] = [];
  const sampler = setInterval(() => void Promise.all([tileFrames(), consumerPackets()]).then(([frames, packets]) => mid.push({ frames, packets })).catch(() => undefined), 2000);
  const results = await Promise.all(clients.map((c, i) => fuzz(c, per, 1000 + i)));
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;

  const codes = new Set<string>(Object.values(ErrorCode));
  let total = 0;
  for (const replies of results) {
    assert.equal(replies.length, per, 'one reply per message');
    for (const m of replies) {
      assert.ok(m.type === 'response' && !m.ok, `an error reply: ${JSON.stringify(m).slice(0, 200)}`);
      assert.ok(!m.ok && codes.has(m.error.code), `a known code: ${JSON.stringify(m).slice(0, 200)}`);
    }
    total += replies.length;
  }
  assert.equal(total, TOTAL);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  for (const c of clients) assert.equal(c.ws.readyState, c.ws.OPEN, 'the fuzzing sockets stay open (errors, not disconnects)');
  assert.equal((await fetch(`${sys.url}api/health`)).status, 200);
  assert.ok(sys.sfu.pool.size >= 1);

  const afterFuzz = { frames: await tileFrames(), packets: await consumerPackets() };
  assert.ok(afterFuzz.packets > before.packets, `the viewer's consumer kept sending RTP (${before.packets} → ${afterFuzz.packets})`);
  assert.ok(afterFuzz.frames - before.frames >= seconds * 5, `the viewer's tile kept decoding (${afterFuzz.frames - before.frames} frames in ${seconds.toFixed(1)} s)`);
  // ...throughout, not only before and after.
  for (let i = 1; i < mid.length; i++) assert.ok(mid[i]!.packets > mid[i - 1]!.packets, `RTP flowed in every 2 s sample: ${JSON.stringify(mid)}`);
  const byCode = new Map<string, number>();
  for (const replies of results) for (const m of replies) if (m.type === 'response' && !m.ok) byCode.set(m.error.code, (byCode.get(m.error.code) ?? 0) + 1);
  console.log(`fuzz: ${TOTAL} messages in ${seconds.toFixed(1)} s; replies by code: ${JSON.stringify(Object.fromEntries(byCode))}`);
  for (const c of clients) c.ws.close();
});
