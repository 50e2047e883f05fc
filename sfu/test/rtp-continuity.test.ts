import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtpContinuity, SEQ_MARGIN } from '../src/media/rtp-continuity.js';

test('the first run starts at the random bases', () => {
  const c = new RtpContinuity(90000, 1000, 123456, 777);
  assert.deepEqual(c.next(1000, 0), { timestampOffset: 123456, seqnumOffset: 777 });
});

test('a restarted run continues RTP time with the server clock and the sequence past the received packets', () => {
  const c = new RtpContinuity(90000, 0, 1000, 100);
  c.next(0, 0);
  // 10 s later, 2500 packets received: RTP time 10 s on, sequence beyond them with the margin.
  assert.deepEqual(c.next(10_000, 2500), { timestampOffset: 1000 + 900_000, seqnumOffset: 100 + 2500 + SEQ_MARGIN });
});

test('every restart starts past the previous run by its packets and the margin, not just the first', () => {
  const c = new RtpContinuity(90000, 0, 0, 0);
  assert.equal(c.next(0, 0).seqnumOffset, 0);
  assert.equal(c.next(1000, 200).seqnumOffset, 200 + SEQ_MARGIN);
  assert.equal(c.next(2000, 500).seqnumOffset, 200 + SEQ_MARGIN + 300 + SEQ_MARGIN);
  // A counter that went back (a new producer after a worker was replaced) still moves forward.
  assert.equal(c.next(3000, 10).seqnumOffset, 500 + 3 * SEQ_MARGIN);
});

test('both wrap around their RTP fields; a clock going back never moves RTP time back', () => {
  const c = new RtpContinuity(48000, 5000, 2 ** 32 - 10, 65530);
  c.next(5000, 0);
  const later = c.next(6000, 10);
  assert.equal(later.timestampOffset, 48000 - 10);
  assert.equal(later.seqnumOffset, (65530 + 10 + SEQ_MARGIN) % 65536);
  assert.equal(c.next(4000, 10).timestampOffset, 48000 - 10);
});

test('a restart never goes backwards in RTP time (the Chromium "older frame" case)', () => {
  const c = new RtpContinuity(90000, 0, 4_000_000_000, 0);
  let prevEnd = 4_000_000_000;
  for (let run = 0, t = 0; run < 50; run++, t += 777) {
    const { timestampOffset } = c.next(t, run * 100);
    // Unwrapped difference from the previous run's last timestamp (a run lasts < its restart interval).
    const delta = (timestampOffset - prevEnd + 2 ** 32) % 2 ** 32;
    assert.ok(delta < 2 ** 31, `run ${run} starts ${delta} ticks ahead, not behind`);
    prevEnd = (timestampOffset + 500 * 90) % 2 ** 32;
  }
});
