/**
 * `node --import tsx bench/residents.ts`: how fast resident push cameras follow their registry, on
 * the real system (endpoint process, SFU ingest, recorder; ffmpeg publishing over RTMP). Per round:
 * approve → publish → live in the SFU (`push_to_live_ms`) → recorded (`push_to_recording_ms`);
 * a wrong key refused (`refuse_ms`, until ffmpeg gives up); owner pause → held on the wall
 * (`pause_to_held_ms`) → publisher cut (`pause_to_cut_ms`) → recorder stops (`pause_to_unrecorded_ms`).
 * Prints one JSON line last.
 *
 * Options (env): BENCH_ROUNDS (default 3).
 *
 * `--smoke`: one round (BENCH_ROUNDS still overrides it), to check the bench runs; its numbers are
 * not measurements.
 */
import { startTestSystem, waitFor } from '@wardwall/testing/system';
import { publish } from '@wardwall/testing/push-publisher';
import { benchOption, pct, round1, SMOKE_FIELD } from './common.js';

const ROUNDS = benchOption('BENCH_ROUNDS', 3, 1);

async function main(): Promise<void> {
  const sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true });
  const base = sys.sfu.url.replace(/\/$/, '');
  const post = async (path: string, body: unknown, type = 'application/json') =>
    (await fetch(base + path, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body), redirect: 'manual' })).json().catch(() => null) as Promise<any>;
  const m: Record<string, number[]> = { push_to_live_ms: [], push_to_recording_ms: [], refuse_ms: [], pause_to_held_ms: [], pause_to_cut_ms: [], pause_to_unrecorded_ms: [] };
  const state = (id: string) => sys.sfu.cameras.info().find((c) => c.id === id)?.streams.main;
  const recording = (id: string) => sys.recorder!.health().cameras.find((c) => c.camera === id)?.state === 'recording';
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const id = `bench-${i}`;
      const made = await post('/api/residents', { id, name: id, ownerName: 'o', ownerContact: 'c', address: 'a', consent: true, consentDate: '2026-01-01', sharing: 'live_recorded', source: { type: 'push' } });
      await post(`/api/residents/${id}/status`, { status: 'approved' });
      const t0 = Date.now();
      const pub = publish(made.pushUrls.rtmp as string);
      await waitFor('live', () => state(id)?.state === 'live', 60000, 20);
      m.push_to_live_ms!.push(Date.now() - t0);
      await waitFor('recording', () => recording(id), 60000, 20);
      m.push_to_recording_ms!.push(Date.now() - t0);

      const t1 = Date.now();
      const wrong = publish((made.pushUrls.rtmp as string).replace(/rk_[A-Za-z0-9_-]+$/, `rk_${'W'.repeat(43)}`));
      await wrong.exited;
      m.refuse_ms!.push(Date.now() - t1);

      const t2 = Date.now();
      await post(`/owner/${(made.ownerLink as string).split('/').pop()}`, 'action=pause', 'application/x-www-form-urlencoded');
      await waitFor('held', () => state(id)?.reason === 'paused', 10000, 10);
      m.pause_to_held_ms!.push(Date.now() - t2);
      await waitFor('cut', () => pub.proc.exitCode !== null || pub.proc.signalCode !== null, 20000, 10);
      m.pause_to_cut_ms!.push(Date.now() - t2);
      await waitFor('unrecorded', () => !recording(id) && !sys.recorder!.health().cameras.some((c) => c.camera === id), 20000, 10);
      m.pause_to_unrecorded_ms!.push(Date.now() - t2);
      await pub.close();
      await post(`/api/residents/${id}/status`, { status: 'revoked' });
    }
  } finally {
    await sys.close();
  }
  const out: Record<string, number | boolean> = { ...SMOKE_FIELD, rounds: ROUNDS, sync_ms: sys.config.residents.syncMs };
  for (const [k, xs] of Object.entries(m)) out[k] = round1(pct(xs, 50));
  out.push_to_live_max_ms = Math.max(...m.push_to_live_ms!);
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
