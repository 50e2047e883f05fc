"""The GOP bridge of the live ingest (docs/gop-bridge.md): a new viewer sees a live picture at once,
whatever the camera's GOP, without asking the camera for a keyframe.

The ingest keeps the current GOP (the H.264 access units since the camera's last keyframe, bounded
in bytes). When the SFU asks for a bridge (SIGUSR1: the process's config arrives on stdin, which is
then closed), the kept GOP is decoded from its keyframe as fast as the decoder goes, the frames
before "now" are dropped after decoding, and the current frame is re-encoded (openh264, constrained
baseline like the transcode path) with a fresh keyframe; the live access units that follow are
decoded and re-encoded too, until the camera's next keyframe, where the bridge ends. It sends RTP to
a second mediasoup producer of the stream (the bridge producer); the browser shows it until its
consumer of the real producer decodes the camera's keyframe. The camera's own stream (the real
producer, the stills) is untouched: the bridge only reads the access units the tee already has.

A request while a bridge runs makes the encoder write a keyframe for the new viewer (shared).
Kept in this module, apart from gst-ingest.py's other branches. The re-encode branch (ReencodeChain) is
shared with the media host (media-host.py), which runs it for access units the SFU sends.
"""
import threading
import time

import gi

gi.require_version('GstVideo', '1.0')
from gi.repository import Gst, GstVideo  # noqa: E402

# The kept GOP is dropped (no bridge until the next keyframe) beyond this many bytes: ~13 s at 4 Mb/s.
DEFAULT_MAX_BYTES = 6 * 1024 * 1024


class GopBuffer:
    """The access units since the last keyframe, oldest first; empty before the first keyframe and
    after an overflow (until the next keyframe)."""

    def __init__(self, max_bytes=DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes
        self.units = []
        self.bytes = 0
        self.overflowed = False

    def push(self, unit, size, keyframe):
        if keyframe:
            self.units = []
            self.bytes = 0
            self.overflowed = False
        elif self.overflowed or not self.units:
            return
        if self.bytes + size > self.max_bytes:
            self.units = []
            self.bytes = 0
            self.overflowed = True
            return
        self.units.append(unit)
        self.bytes += size


def make(factory, **props):
    el = Gst.ElementFactory.make(factory, None)
    if el is None:
        raise RuntimeError(f'no element {factory}')
    for k, v in props.items():
        el.set_property(k.replace('_', '-'), v)
    return el


class ReencodeChain:
    """The bridge's re-encode branch, added to `pipeline`: appsrc -> h264parse -> decoder -> I420 ->
    openh264enc (constrained baseline) -> rtph264pay -> udpsink towards the bridge producer's
    PlainTransport. Decoded frames stamped before `cutoff_pts` are dropped before the encoder; the
    first frame after a `force_keyframe()` is an IDR. Shared by the ingest's GopBridge (fed by the
    tee) and the media host (media-host.py, fed by the SFU's access units).

    target: host, port, sourcePort, ssrc, payloadType, mtu, bitrateKbps, gopFrames."""

    def __init__(self, pipeline, target, max_bytes=DEFAULT_MAX_BYTES):
        self.cutoff_pts = None
        self.force = False
        self.caps_set = False
        self.src = make('appsrc', is_live=True, format=Gst.Format.TIME, do_timestamp=False, block=False,
                        max_bytes=max_bytes * 2, emit_signals=False)
        parse = make('h264parse')
        dec = make('avdec_h264', max_threads=1)
        conv = make('videoconvert')
        caps = make('capsfilter', caps=Gst.Caps.from_string('video/x-raw,format=I420'))
        self.enc = make('openh264enc', bitrate=int(target.get('bitrateKbps', 1500)) * 1000, gop_size=int(target.get('gopFrames', 250)),
                        complexity=0, rate_control=1, usage_type=0)
        out = make('capsfilter', caps=Gst.Caps.from_string('video/x-h264,stream-format=byte-stream,alignment=au'))
        self.pay = make('rtph264pay', config_interval=-1, pt=int(target['payloadType']), ssrc=int(target['ssrc']), mtu=int(target['mtu']))
        self.pay.set_property('aggregate-mode', 'zero-latency')
        self.udp = make('udpsink', host=target['host'], port=int(target['port']), bind_address=target.get('bindAddress', target['host']),
                        bind_port=int(target['sourcePort']), sync=False)
        self.udp.set_property('async', False)
        self.elements = [self.src, parse, dec, conv, caps, self.enc, out, self.pay, self.udp]
        for el in self.elements:
            pipeline.add(el)
        for a, c in zip(self.elements, self.elements[1:]):
            if not a.link(c):
                raise RuntimeError(f'bridge: cannot link {a.get_name()} to {c.get_name()}')
        caps.get_static_pad('src').add_probe(Gst.PadProbeType.BUFFER, self.on_decoded)

    def set_caps(self, caps):
        if not self.caps_set and caps is not None:
            self.src.set_property('caps', caps)
            self.caps_set = True

    def push(self, buf):
        return self.src.emit('push-buffer', buf)

    def force_keyframe(self):
        self.force = True

    def on_decoded(self, pad, info):
        buf = info.get_buffer()
        cutoff = self.cutoff_pts
        if cutoff is not None and buf.pts != Gst.CLOCK_TIME_NONE and cutoff != Gst.CLOCK_TIME_NONE and buf.pts < cutoff:
            return Gst.PadProbeReturn.DROP
        if self.force:
            self.force = False
            self.enc.get_static_pad('sink').send_event(
                GstVideo.video_event_new_downstream_force_key_unit(Gst.CLOCK_TIME_NONE, Gst.CLOCK_TIME_NONE, Gst.CLOCK_TIME_NONE, True, 0))
        return Gst.PadProbeReturn.OK


class GopBridge:
    """Built once per run (idle until asked): a ReencodeChain towards the bridge producer, fed from
    the tee's access units."""

    def __init__(self, pipeline, cfg, tee_sink_pad):
        b = cfg['bridge']
        self.gop = GopBuffer(int(b.get('maxBytes', DEFAULT_MAX_BYTES)))
        self.lock = threading.Lock()
        self.active = False
        self.tee_sink_pad = tee_sink_pad
        # Counters (tests and benches read them through the RTP; kept for debugging).
        self.bridges = 0
        self.started_at = 0.0
        target = {'host': cfg['rtpHost'], 'port': b['rtpPort'], 'sourcePort': b['sourcePort'], 'ssrc': b['ssrc'],
                  'payloadType': cfg['payloadType'], 'mtu': cfg['mtu'], 'bitrateKbps': b.get('bitrateKbps', 1500), 'gopFrames': b.get('gopFrames', 250)}
        self.chain = ReencodeChain(pipeline, target, self.gop.max_bytes)
        tee_sink_pad.add_probe(Gst.PadProbeType.BUFFER, self.on_access_unit)

    def on_access_unit(self, pad, info):
        """Every access unit entering the tee (the depayloader's thread)."""
        buf = info.get_buffer()
        keyframe = not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)
        with self.lock:
            if keyframe and self.active:
                # The camera's own keyframe: viewers switch to the real producer here; the bridge ends.
                self.active = False
            self.gop.push(buf, buf.get_size(), keyframe)
            if self.active:
                self.push(buf)
        return Gst.PadProbeReturn.OK

    def push(self, buf):
        self.chain.set_caps(self.tee_sink_pad.get_current_caps())
        self.chain.push(buf)

    def request(self):
        """A viewer joins (SIGUSR1, main loop): start a bridge, or a keyframe in the running one."""
        with self.lock:
            if self.active:
                self.chain.force_keyframe()
                return 'shared'
            units = list(self.gop.units)
            if not units:
                return 'no_gop'
            self.active = True
            self.chain.force_keyframe()
            self.chain.cutoff_pts = units[-1].pts
            self.bridges += 1
            self.started_at = time.monotonic()
            for u in units:
                self.push(u)
            return 'started'
