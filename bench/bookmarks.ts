/**
 * Bookmark sync on the real SFU (SQLite, signaling; demo cameras, no recorder): the time from one
 * operator's push to the live `bookmarkChanged` at another operator (p50/p95), pushes of 50
 * changes per second, a full pull of N records, and REST search. Prints a table and a JSON line.
 * Contended machine: numbers are indicative. Option (env): BENCH_BOOKMARKS (default 2000 pushed).
 *
 * `--smoke`: 10 live changes and 500 pushed (two pull pages), to check the bench runs; its numbers
 * are not measurements. BENCH_BOOKMARKS still overrides it.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ServerMessage } from '@wardwall/common';
import { startTestSystem } from '@wardwall/testing/system';
import { benchOption, bySmoke, pct, round1, SMOKE_FIELD } from './common.js';

const N = benchOption('BENCH_BOOKMARKS', 2000, 500);
const LIVE = bySmoke(200, 10);

async function client(url: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}ws`);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const waiting = new Map<number, (m: ServerMessage) => void>();
  const pushes: ((m: ServerMessage) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    if (m.type === 'response' && typeof m.id === 'number') waiting.get(m.id)?.(m);
    else for (const f of pushes) f(m);
  });
  let n = 1;
  const request = (m: Record<string, unknown>) =>
    new Promise<ServerMessage & { data?: unknown }>((r) => {
      const id = n++;
      waiting.set(id, r as (m: ServerMessage) => void);
      ws.send(JSON.stringify({ id, ...m }));
    });
  await request({ type: 'hello' });
  return { ws, request, onPush: (f: (m: ServerMessage) => void) => pushes.push(f) };
}

const sys = await startTestSystem({ demoCount: 1, withSub: 0 });
try {
  const a = await client(sys.sfu.url);
  const b = await client(sys.sfu.url);
  const seen = new Map<string, number>();
  b.onPush((m) => m.type === 'bookmarkChanged' && seen.set(m.bookmark.id, performance.now()));
  const now = Date.now();
  const mk = (i: number) => ({ entity: 'bookmark', id: randomUUID(), fields: { cameras: ['demo-1'], startMs: now - i * 1000, endMs: now - i * 1000, title: `mark ${i}`, note: 'ghi chú '.repeat(20), tags: ['bench'] }, times: {} });

  // Live latency: one change at a time.
  const live: number[] = [];
  for (let i = 0; i < LIVE; i++) {
    const c = mk(i);
    const t0 = performance.now();
    await a.request({ type: 'bookmarksPush', changes: [c] });
    while (!seen.has(c.id)) await new Promise((r) => setImmediate(r));
    live.push(seen.get(c.id)! - t0);
  }
  // Throughput: batches of 50.
  const t1 = performance.now();
  let pushed = 0;
  while (pushed < N) {
    await a.request({ type: 'bookmarksPush', changes: Array.from({ length: 50 }, (_, i) => mk(pushed + i)) });
    pushed += 50;
  }
  const perS = pushed / ((performance.now() - t1) / 1000);
  // Full pull (pages of 500) and a REST search.
  const t2 = performance.now();
  let since = 0;
  let records = 0;
  for (;;) {
    const r = (await b.request({ type: 'bookmarksPull', since })) as { data: { bookmarks: unknown[]; seq: number; more: boolean } };
    records += r.data.bookmarks.length;
    since = r.data.seq;
    if (!r.data.more) break;
  }
  const pullMs = performance.now() - t2;
  const t3 = performance.now();
  const search = (await (await fetch(new URL('/api/bookmarks?text=mark%2019&camera=demo-1', sys.sfu.url))).json()) as { total: number };
  const searchMs = performance.now() - t3;
  const out = { ...SMOKE_FIELD, live_p50_ms: round1(pct(live, 50)), live_p95_ms: round1(pct(live, 95)), push_changes_per_s: Math.round(perS), pull_records: records, pull_ms: Math.round(pullMs), search_ms: round1(searchMs), search_total: search.total };
  console.log(`push → live at another operator: p50 ${out.live_p50_ms} ms, p95 ${out.live_p95_ms} ms`);
  console.log(`push throughput (batches of 50): ${out.push_changes_per_s} changes/s`);
  console.log(`full pull of ${records} records: ${out.pull_ms} ms; REST text search over them: ${out.search_ms} ms`);
  console.log(JSON.stringify(out));
  a.ws.close();
  b.ws.close();
} finally {
  await sys.close();
}
