/**
 * ResampleFollower (gst-ingest.py): the live audio branch's audioresample keeps its own timeline
 * (first buffer + samples taken in) through any input timestamp move under 31.25 ms, which left
 * a different lip-sync offset every run (docs/recording-time-and-audio.md, "Live audio on the
 * wall"). With the follower its output carries the input's timestamps. Real GStreamer: 8 kHz
 * buffers of 20 ms, stamped 17 ms later from the 21st on (like the paced stamps moving when the
 * first sender report arrives), resampled to 48 kHz; the output's offset from its own sample
 * count is read at the end. Without the follower (the control) the move does not show.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GST_INGEST_SCRIPT, INGEST_PYTHON } from '../src/ingest/pipeline-args.js';

function run(follow: boolean, moveMs: number): { offsetsMs: number[]; buffers: number } {
  const script = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location('gst_ingest', ${JSON.stringify(GST_INGEST_SCRIPT)})
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
Gst = m.Gst
p = Gst.parse_launch('appsrc name=src format=time caps=audio/x-raw,format=S16LE,rate=8000,channels=1,layout=interleaved ! '
                     'audioresample name=resample ! audio/x-raw,rate=48000 ! appsink name=sink sync=false')
if ${follow ? 'True' : 'False'}:
    m.ResampleFollower(p.get_by_name('resample'))
out = []
samples = [0]
def on_sample(sink):
    buf = sink.emit('pull-sample').get_buffer()
    n = buf.get_size() // 2
    out.append((buf.pts - samples[0] * Gst.SECOND // 48000) / 1e6)
    samples[0] += n
    return Gst.FlowReturn.OK
sink = p.get_by_name('sink'); sink.set_property('emit-signals', True); sink.connect('new-sample', on_sample)
p.set_state(Gst.State.PLAYING)
src = p.get_by_name('src')
for i in range(60):
    b = Gst.Buffer.new_wrapped(bytes(320))
    b.pts = i * 20 * Gst.MSECOND + (${moveMs} * Gst.MSECOND if i >= 20 else 0)
    b.duration = 20 * Gst.MSECOND
    src.emit('push-buffer', b)
src.emit('end-of-stream')
p.get_bus().timed_pop_filtered(5 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
p.set_state(Gst.State.NULL)
print(json.dumps(out))
`;
  const r = spawnSync(INGEST_PYTHON, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const offsetsMs = JSON.parse(r.stdout) as number[];
  return { offsetsMs, buffers: offsetsMs.length };
}

test('audioresample output follows a 17 ms move of its input timestamps with the follower, and keeps its own timeline without it', () => {
  const followed = run(true, 17);
  const control = run(false, 17);
  assert.ok(followed.buffers >= 50 && control.buffers >= 50, `buffers: ${followed.buffers}, ${control.buffers}`);
  // Before the move: both on the input's timeline (offset 0 from the sample count, to a sample).
  for (const o of [...followed.offsetsMs.slice(1, 15), ...control.offsetsMs.slice(1, 15)]) assert.ok(Math.abs(o) < 0.05, `before the move: ${o} ms`);
  // After it (the last 20 buffers): 17 ms later with the follower; still 0 without (the bug).
  for (const o of followed.offsetsMs.slice(-20, -1)) assert.ok(Math.abs(o - 17) < 0.05, `follower: ${o} ms (want 17)`);
  for (const o of control.offsetsMs.slice(-20, -1)) assert.ok(Math.abs(o) < 0.05, `control: ${o} ms (audioresample alone keeps its timeline)`);
});

test('a move beyond audioresample\'s own tolerance (rate/32 samples): it resyncs by itself, and the follower adds nothing on top', () => {
  const followed = run(true, 45);
  const control = run(false, 45);
  // (The resampler's restart drops a few samples of filter history: the offset from the sample count is 45 ms + ~0.1.)
  followed.offsetsMs.slice(-20, -1).forEach((o, i) => {
    assert.ok(Math.abs(o - 45) < 0.2, `follower: ${o} ms (want 45)`);
    assert.ok(Math.abs(o - control.offsetsMs.slice(-20, -1)[i]!) < 0.001, `follower ${o} ms, alone ${control.offsetsMs.slice(-20, -1)[i]} ms`);
  });
});
