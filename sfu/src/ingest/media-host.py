#!/usr/bin/python3
"""The media host (docs/media-host.md): ONE python3+GStreamer process that decodes and re-encodes
for every camera whose RTP the SFU forwards itself. Nothing secret passes through it (no URLs):
it gets H.264 access units (Annex-B) and answers with pictures and RTP.

Protocol, framed both ways on stdin/stdout (stderr: log lines): u32 BE header length, u32 BE
payload length, the JSON header (UTF-8), the payload. Per stream key (`cam`, e.g. "cam-1/main"),
created on demand, dropped by {op:'drop'} or after IDLE_S without a message:
  still        payload = one keyframe AU with SPS/PPS -> {op:'still', width, height} + JPEG, then
               {op:'thumb'} + PGM (64x36 GRAY8), or {op:'error', code:'decode_failed'}
  bridgeStart  target + cutoffPts (90 kHz ticks, like every pts here), then {op:'au', pts, key}
               frames: the GOP bridge (gop_bridge.ReencodeChain) until bridgeStop
  bridgeKeyframe, bridgeStop, drop
Replies to bridges: {op:'bridge', state:'started'|'ended', frames}.
"""
import json
import os
import re
import struct
import sys
import threading
import time
from collections import deque

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstVideo', '1.0')
from gi.repository import GLib, Gst  # noqa: E402

Gst.init(None)
sys.dont_write_bytecode = True  # no __pycache__ beside the installed script
from gop_bridge import ReencodeChain  # noqa: E402

MAX_HEADER = 64 * 1024
MAX_PAYLOAD = 16 * 1024 * 1024
IDLE_S = 60  # (--idle-seconds N overrides: tests)
# Still requests waiting per camera beyond this: the oldest is dropped (code 'superseded').
MAX_STILLS_QUEUED = 4
THUMB_W, THUMB_H = 64, 36
JPEG_MAX_WIDTH = 640
# A bridge whose end (EOS through the encoder) does not come back within this is torn down anyway.
BRIDGE_END_TIMEOUT_S = 2.0
CAM_RE = re.compile(r'^[\w.:@/-]{1,128}$')
LOOPBACK_RE = re.compile(r'^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$')


def ticks_to_ns(ticks):
    """90 kHz ticks -> GStreamer nanoseconds."""
    return int(ticks) * 100000 // 9


def log(msg):
    sys.stderr.write(msg + '\n')
    sys.stderr.flush()


class Output:
    """Framed replies on stdout, from any thread."""

    def __init__(self, stream):
        self.stream = stream
        self.lock = threading.Lock()

    def send(self, header, payload=b''):
        head = json.dumps(header, separators=(',', ':')).encode()
        with self.lock:
            try:
                self.stream.write(struct.pack('>II', len(head), len(payload)) + head)
                if payload:
                    self.stream.write(payload)
                self.stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                os._exit(0)  # the SFU is gone


def nal_types(au):
    """The NAL unit types of an Annex-B access unit."""
    types = set()
    i = au.find(b'\x00\x00\x01')
    while i >= 0 and i + 3 < len(au):
        types.add(au[i + 3] & 0x1f)
        i = au.find(b'\x00\x00\x01', i + 3)
    return types


class StillDecoder:
    """A pipeline that decodes one keyframe at a time, for any camera (the decoder renegotiates when
    the size changes): our own pad -> h264parse -> avdec_h264 -> videoconvert -> tee -> (scale to
    <=640 wide, square pixels -> jpegenc q80) + (64x36 GRAY8 -> pnmenc). Everything runs in the
    caller's thread (no queues); each AU is followed by EOS, so the decoder gives its frame out
    whatever its delay, then a flush resets the chain for the next camera."""

    def __init__(self):
        self.pipeline = Gst.Pipeline.new('stills')
        desc = (f'h264parse name=parse ! video/x-h264,alignment=au,stream-format=byte-stream ! '
                f'avdec_h264 max-threads=1 output-corrupt=false ! videoconvert ! tee name=k '
                f'k. ! videoscale ! video/x-raw,width=[16,{JPEG_MAX_WIDTH}],pixel-aspect-ratio=1/1 ! jpegenc quality=80 ! '
                f'appsink name=jpeg sync=false async=false emit-signals=false wait-on-eos=false max-buffers=4 '
                f'k. ! videoscale ! videoconvert ! video/x-raw,format=GRAY8,width={THUMB_W},height={THUMB_H},pixel-aspect-ratio=1/1 ! '
                f'pnmenc ! appsink name=thumb sync=false async=false emit-signals=false wait-on-eos=false max-buffers=4')
        self.bin = Gst.parse_bin_from_description(desc, False)
        self.pipeline.add(self.bin)
        self.jpeg = self.bin.get_by_name('jpeg')
        self.thumb = self.bin.get_by_name('thumb')
        self.pad = Gst.Pad.new('src', Gst.PadDirection.SRC)
        self.pad.set_active(True)
        sink = self.bin.get_by_name('parse').get_static_pad('sink')
        if self.pad.link(sink) != Gst.PadLinkReturn.OK:
            raise RuntimeError('stills: cannot link the source pad')
        self.pipeline.set_state(Gst.State.PLAYING)
        # Nobody reads this pipeline's bus (each still posts an EOS, a bad AU maybe a warning): drop
        # its messages instead of queueing them forever.
        self.pipeline.get_bus().set_flushing(True)
        self.pad.push_event(Gst.Event.new_stream_start('stills'))
        self.pad.push_event(Gst.Event.new_caps(Gst.Caps.from_string('video/x-h264,stream-format=byte-stream,alignment=au')))
        self.new_segment()
        self.n = 0

    def new_segment(self):
        seg = Gst.Segment()
        seg.init(Gst.Format.TIME)
        self.pad.push_event(Gst.Event.new_segment(seg))

    @staticmethod
    def pull(sink):
        sample = sink.emit('try-pull-sample', 0)
        if sample is None:
            return None, None
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if not ok:
            return None, None
        data = bytes(info.data)
        buf.unmap(info)
        s = sample.get_caps().get_structure(0)
        return data, (s.get_int('width')[1], s.get_int('height')[1])

    def decode(self, au):
        """-> (jpeg, (w, h), pgm, (sw, sh)) or None."""
        types = nal_types(au)
        if not {5, 7, 8} <= types:
            return None
        self.n += 1
        buf = Gst.Buffer.new_wrapped(au)
        buf.pts = self.n * Gst.SECOND
        buf.dts = buf.pts
        try:
            self.pad.push(buf)
            self.pad.push_event(Gst.Event.new_eos())
            jpeg, size = self.pull(self.jpeg)
            pgm, _ = self.pull(self.thumb)
        finally:
            # Reset for the next AU (the EOS is cleared, leftovers dropped).
            self.pad.push_event(Gst.Event.new_flush_start())
            self.pad.push_event(Gst.Event.new_flush_stop(True))
            self.new_segment()
            while self.pull(self.jpeg)[0] is not None or self.pull(self.thumb)[0] is not None:
                pass
        if jpeg is None or pgm is None:
            return None
        return jpeg, size, pgm


class Bridge:
    """One camera's GOP bridge: its own pipeline around a ReencodeChain, fed with the AUs the SFU
    sends. Counts the frames the encoder writes; 'started' at the first one."""

    def __init__(self, host, cam, target, cutoff_ticks):
        self.host = host
        self.cam = cam
        self.frames = 0
        self.ended = False
        self.ending = False
        self.pipeline = Gst.Pipeline.new(f'bridge-{cam}')
        t = dict(target)
        t['bindAddress'] = '127.0.0.1'
        self.chain = ReencodeChain(self.pipeline, t)
        self.chain.src.set_property('caps', Gst.Caps.from_string('video/x-h264,stream-format=byte-stream,alignment=au'))
        self.chain.caps_set = True
        self.chain.cutoff_pts = ticks_to_ns(cutoff_ticks)
        self.chain.force_keyframe()
        self.chain.enc.get_static_pad('src').add_probe(Gst.PadProbeType.BUFFER, self.on_encoded)
        self.chain.udp.get_static_pad('sink').add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_sink_event)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        self.bus_handler = bus.connect('message', self.on_message)
        self.pipeline.set_state(Gst.State.PLAYING)

    def on_encoded(self, _pad, _info):
        self.frames += 1
        if self.frames == 1:
            self.host.out.send({'op': 'bridge', 'cam': self.cam, 'state': 'started', 'frames': 1})
        return Gst.PadProbeReturn.OK

    def on_sink_event(self, _pad, info):
        if info.get_event().type == Gst.EventType.EOS:
            GLib.idle_add(self.finish)
        return Gst.PadProbeReturn.OK

    def on_message(self, _bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, _debug = msg.parse_error()
            log(f'bridge {self.cam}: {err.message}')
            self.host.out.send({'op': 'error', 'cam': self.cam, 'code': 'bridge_failed', 'message': err.message[:200]})
            self.finish()

    def au(self, data, ticks, key):
        if self.ending:
            return
        buf = Gst.Buffer.new_wrapped(data)
        buf.pts = ticks_to_ns(ticks)
        buf.dts = Gst.CLOCK_TIME_NONE
        if not key:
            buf.set_flags(Gst.BufferFlags.DELTA_UNIT)
        self.chain.push(buf)

    def keyframe(self):
        self.chain.force_keyframe()

    def stop(self):
        """The camera's own keyframe arrived: the frames in flight are encoded and sent, then it ends."""
        if self.ending:
            return
        self.ending = True
        self.chain.src.emit('end-of-stream')
        GLib.timeout_add(int(BRIDGE_END_TIMEOUT_S * 1000), self.finish)

    def finish(self):
        """(main loop) Tears the pipeline down once; replies 'ended'."""
        if self.ended:
            return False
        self.ended = True
        self.ending = True
        bus = self.pipeline.get_bus()
        bus.disconnect(self.bus_handler)
        bus.remove_signal_watch()
        self.pipeline.set_state(Gst.State.NULL)
        self.host.out.send({'op': 'bridge', 'cam': self.cam, 'state': 'ended', 'frames': self.frames})
        self.host.bridge_ended(self)
        return False


class Camera:
    def __init__(self, key):
        self.key = key
        self.stills = deque()
        self.bridge = None
        self.used = time.monotonic()


class Host:
    def __init__(self, loop):
        self.loop = loop
        self.out = Output(sys.stdout.buffer)
        self.cams = {}
        self.lock = threading.Lock()
        self.work = threading.Condition(self.lock)
        self.turn = deque()  # camera keys with stills waiting, in turn (one still each per round)
        self.decoder = StillDecoder()
        self.idle_s = IDLE_S

    # ---- cameras -----------------------------------------------------------------------------
    def cam(self, key):
        with self.lock:
            return self._cam(key)

    def _cam(self, key):
        c = self.cams.get(key)
        if c is None:
            c = self.cams[key] = Camera(key)
        c.used = time.monotonic()
        return c

    def drop(self, key, why='dropped'):
        with self.lock:
            c = self.cams.pop(key, None)
            waiting = list(c.stills) if c else []
            if c:
                c.stills.clear()
        for rid, _au in waiting:
            self.out.send({'op': 'error', 'cam': key, 'id': rid, 'code': why})
        if c and c.bridge:
            b = c.bridge
            GLib.idle_add(lambda: (b.finish(), False)[1])

    def sweep(self):
        now = time.monotonic()
        with self.lock:
            idle = [k for k, c in self.cams.items() if now - c.used > self.idle_s and not c.stills]
        for k in idle:
            self.drop(k, 'idle')
        return True

    # ---- stills ------------------------------------------------------------------------------
    def still(self, key, rid, au):
        superseded = []
        with self.lock:
            c = self._cam(key)
            c.stills.append((rid, au))
            while len(c.stills) > MAX_STILLS_QUEUED:
                superseded.append(c.stills.popleft()[0])
            if key not in self.turn:
                self.turn.append(key)
            self.work.notify()
        for old in superseded:
            self.out.send({'op': 'error', 'cam': key, 'id': old, 'code': 'superseded'})

    def still_worker(self):
        while True:
            with self.lock:
                while not self.turn:
                    self.work.wait()
                key = self.turn.popleft()
                c = self.cams.get(key)
                if c is None or not c.stills:
                    continue
                rid, au = c.stills.popleft()
                if c.stills:
                    self.turn.append(key)
            try:
                result = self.decoder.decode(au)
            except Exception as e:  # noqa: BLE001 - one bad AU never ends the host
                log(f'still {key}: {e}')
                result = None
            if result is None:
                self.out.send({'op': 'error', 'cam': key, 'id': rid, 'code': 'decode_failed'})
                continue
            jpeg, (w, h), pgm = result
            self.out.send({'op': 'still', 'cam': key, 'id': rid, 'width': w, 'height': h}, jpeg)
            self.out.send({'op': 'thumb', 'cam': key, 'id': rid}, pgm)

    # ---- bridges (main loop) -----------------------------------------------------------------
    def bridge_start(self, key, target, cutoff):
        c = self.cam(key)
        if c.bridge is not None:
            c.bridge.finish()
        try:
            c.bridge = Bridge(self, key, target, cutoff)
        except Exception as e:  # noqa: BLE001
            log(f'bridge {key}: {e}')
            self.out.send({'op': 'error', 'cam': key, 'code': 'bridge_failed', 'message': str(e)[:200]})
            self.out.send({'op': 'bridge', 'cam': key, 'state': 'ended', 'frames': 0})

    def bridge_ended(self, bridge):
        c = self.cams.get(bridge.cam)
        if c is not None and c.bridge is bridge:
            c.bridge = None

    def on_message(self, header, payload):
        """(main loop) One request."""
        op = header.get('op')
        key = header.get('cam')
        if not isinstance(key, str) or not CAM_RE.match(key):
            self.out.send({'op': 'error', 'code': 'bad_request', 'message': 'cam missing or malformed', 'id': header.get('id')})
            return False
        if op == 'still':
            rid = header.get('id')
            if not isinstance(rid, int):
                self.out.send({'op': 'error', 'cam': key, 'code': 'bad_request', 'message': 'id missing'})
            else:
                self.still(key, rid, payload)
        elif op == 'au':
            c = self.cam(key)
            if c.bridge is not None and isinstance(header.get('pts'), int):
                c.bridge.au(payload, header['pts'], bool(header.get('key')))
        elif op == 'bridgeStart':
            err = bad_target(header.get('target'))
            if err or not isinstance(header.get('cutoffPts'), int):
                self.out.send({'op': 'error', 'cam': key, 'code': 'bad_request', 'message': err or 'cutoffPts missing'})
                self.out.send({'op': 'bridge', 'cam': key, 'state': 'ended', 'frames': 0})
            else:
                self.bridge_start(key, header['target'], header['cutoffPts'])
        elif op == 'bridgeKeyframe':
            c = self.cam(key)
            if c.bridge is not None:
                c.bridge.keyframe()
        elif op == 'bridgeStop':
            c = self.cam(key)
            if c.bridge is not None:
                c.bridge.stop()
        elif op == 'drop':
            self.drop(key)
        else:
            self.out.send({'op': 'error', 'cam': key, 'code': 'bad_request', 'message': 'unknown op'})
        return False


def bad_target(t):
    if not isinstance(t, dict):
        return 'target missing'
    if not isinstance(t.get('host'), str) or not LOOPBACK_RE.match(t['host']):
        return 'target host must be a loopback address'
    for k in ('port', 'sourcePort', 'ssrc', 'payloadType', 'mtu', 'bitrateKbps', 'gopFrames'):
        if not isinstance(t.get(k), int) or t[k] < 0:
            return f'target.{k} missing'
    return None


def read_exact(stream, n):
    data = b''
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def reader(host, stream):
    """Reads framed requests; hands them to the main loop. EOF (the SFU closed our stdin, or died):
    the host ends. A frame beyond the limits: the stream cannot be trusted, the host ends (the SFU
    restarts it)."""
    while True:
        head = read_exact(stream, 8)
        if head is None:
            break
        hlen, plen = struct.unpack('>II', head)
        if hlen > MAX_HEADER or plen > MAX_PAYLOAD or hlen == 0:
            log(f'frame too large (header {hlen}, payload {plen}): ending')
            GLib.idle_add(lambda: (host.loop.quit(), False)[1])
            host.code = 2
            return
        raw = read_exact(stream, hlen)
        payload = read_exact(stream, plen) if plen else b''
        if raw is None or payload is None:
            break
        try:
            header = json.loads(raw)
            if not isinstance(header, dict):
                raise ValueError('not an object')
        except ValueError:
            host.out.send({'op': 'error', 'code': 'bad_request', 'message': 'header is not a JSON object'})
            continue
        if header.get('op') == 'still':
            # Stills go straight to the worker's queue (no main-loop hop).
            host.on_message(header, payload)
        else:
            GLib.idle_add(host.on_message, header, payload)
    GLib.idle_add(lambda: (host.loop.quit(), False)[1])


def die_with_parent():
    """Never outlive the SFU (Linux prctl PR_SET_PDEATHSIG: SIGTERM when the parent dies)."""
    import ctypes
    import signal
    try:
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except OSError:
        pass
    if os.getppid() == 1:
        os._exit(0)


def main():
    die_with_parent()
    import signal
    loop = GLib.MainLoop()
    host = Host(loop)
    host.code = 0
    if '--idle-seconds' in sys.argv:
        host.idle_s = float(sys.argv[sys.argv.index('--idle-seconds') + 1])
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda: (loop.quit(), False)[1])
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, lambda: (loop.quit(), False)[1])
    GLib.timeout_add(int(min(5, host.idle_s / 2) * 1000), host.sweep)
    threading.Thread(target=host.still_worker, name='stills', daemon=True).start()
    threading.Thread(target=reader, args=(host, sys.stdin.buffer), name='reader', daemon=True).start()
    log('WWEVENT ' + json.dumps({'event': 'media_host_ready', 'pid': os.getpid()}))
    loop.run()
    sys.stderr.flush()
    # No interpreter teardown while GStreamer threads may still call back into Python.
    os._exit(host.code)


if __name__ == '__main__':
    main()
