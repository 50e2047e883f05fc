import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleLine, LogRouter } from '../log-router.js';

test('warnings and errors become one readable console line; info and non-JSON do not', () => {
  assert.equal(consoleLine('sfu', '{"level":30,"msg":"ready"}'), null);
  assert.equal(consoleLine('sfu', 'not json'), null);
  assert.equal(
    consoleLine('sfu', '{"level":40,"time":1,"pid":2,"hostname":"h","name":"sfu","camera":"demo-2","reason":"no_media","msg":"ingest pipeline exited"}'),
    '[sfu] WARN ingest pipeline exited camera=demo-2 reason=no_media',
  );
  assert.match(consoleLine('recorder', '{"level":50,"msg":"disk full","free":0}')!, /^\[recorder\] ERROR disk full free=0$/);
});

test('the log file is rotated at its size cap, keeping a fixed number of files, newest lines last', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-logs-'));
  try {
    const file = join(dir, 'logs', 'wardwall.log');
    const router = new LogRouter(file, { maxBytes: 4096, count: 3 });
    const line = (i: number) => JSON.stringify({ level: 30, msg: 'tick', i, pad: 'x'.repeat(60) });
    for (let i = 0; i < 400; i++) router.line('sfu', line(i)); // ~36 KB: far past 3 x 4 KiB
    assert.deepEqual(readdirSync(join(dir, 'logs')).sort(), ['wardwall.log', 'wardwall.log.1', 'wardwall.log.2']);
    const read = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    const [cur, one, two] = [read(file), read(`${file}.1`), read(`${file}.2`)];
    for (const f of [file, `${file}.1`, `${file}.2`]) assert.ok(statSync(f).size <= 4096, `${f} is within the cap`);
    assert.equal(cur.at(-1), 399, 'the newest line is in the current file');
    const kept = [...two, ...one, ...cur];
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, k) => kept[0]! + k), 'no line lost or reordered across the kept files');
    assert.ok(kept[0]! > 0, 'the oldest lines were dropped');

    // A restarted launcher continues the same file and counts what is already there.
    const again = new LogRouter(file, { maxBytes: 4096, count: 3 });
    const before = statSync(file).size;
    const big = line(1000);
    const fits = Math.floor((4096 - before) / (big.length + 1));
    for (let i = 0; i < fits; i++) again.line('sfu', big);
    assert.equal(read(`${file}.1`).at(-1), one.at(-1), 'no rotation while the file has room');
    again.line('sfu', big);
    assert.equal(read(`${file}.1`).at(-1), 1000, 'the next line past the cap rotated the file');
    assert.deepEqual(read(file), [1000]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
