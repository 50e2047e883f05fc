#!/usr/bin/python3
"""The live ingest of one camera stream, as a GStreamer pipeline built here with python3-gi.

The camera URL (which may carry credentials, or the endpoint's read secret) arrives on stdin as
JSON, never on the command line, so `ps` and /proc/<pid>/cmdline show nothing secret.

Modes:
  probe  connects, watches the stream for a moment and prints one JSON line on stdout: codec
         (from the SDP), profile/level/size (from the parser), frame rate and reordering
         (B-frames) from the RTP timestamps, audio tracks; then exits.
  run    forwards the video to mediasoup as RTP (fixed SSRC and payload type, SPS/PPS before every
         keyframe): passthrough, or decode + H.264 constrained-baseline re-encode (transcode);
         and writes keyframe stills (JPEG) and 64x36 grey thumbnails (PGM) as multipart on stdout.
         A camera whose encoder restarts inside the RTSP session (new SSRC, sequence and
         timestamp base) shows up as a new pad of rtspsrc: it is linked in place of the old one,
         so the stream towards mediasoup never stops.
Errors end the process with a message on stderr (the supervisor classifies it).
"""
import json
import os
import sys
import time
import signal as _signal

# SIGUSR1 asks for a GOP bridge (gop_bridge.py): ignored until the run's handler is installed.
_signal.signal(_signal.SIGUSR1, _signal.SIG_IGN)

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtp', '1.0')
gi.require_version('GstAudio', '1.0')
from gi.repository import GLib, Gst, GstAudio, GstRtp  # noqa: E402

Gst.init(None)

# How long the pacer (CapturePacer) remembers the latest arrival behind capture time.
PACE_WINDOW_S = 30
# How fast the pacer's common delay comes down after a late packet raised it (fraction of real time).
PACE_DECAY = 0.01

# The largest step back of RTP time (90 kHz) the probe takes for B-frame reordering (0.5 s).
REORDER_MAX_STEP = 45000

DEPAY = {'H264': 'rtph264depay', 'H265': 'rtph265depay'}
PARSE = {'H264': 'h264parse', 'H265': 'h265parse'}
DECODE = {'H264': 'avdec_h264', 'H265': 'avdec_h265'}


def log_event(**fields):
    sys.stderr.write('WWEVENT ' + json.dumps(fields) + '\n')
    sys.stderr.flush()


def make(factory, **props):
    el = Gst.ElementFactory.make(factory, None)
    if el is None:
        raise RuntimeError(f'no element {factory}')
    for k, v in props.items():
        el.set_property(k.replace('_', '-'), v)
    return el


def make_rtspsrc(cfg, paced=None):
    """Unpaced (no live audio, and the probe): no RTCP, no jitterbuffer latency, packets leave as
    they come. Paced (a camera with live audio, for lip-sync): RTCP on, for the camera's sender
    reports (CapturePacer), and a small jitterbuffer latency, a margin added to the pipeline
    latency the paced udpsinks wait for."""
    if paced:
        src = make('rtspsrc', protocols='tcp', latency=int(paced['jitterMs']), do_rtcp=True)
    else:
        src = make('rtspsrc', protocols='tcp', latency=0, do_rtcp=False)
    src.set_property('location', cfg['url'])
    src.set_property('tcp-timeout', 5000000)
    src.set_property('timeout', 5000000)
    return src


class EncoderRestarts:
    """A camera whose encoder restarts inside the RTSP session sends a new SSRC with a new sequence
    and timestamp base. rtpbin gives the new source its own jitterbuffer, configured from the
    stream's caps, which carry the seqnum-base/clock-base of the PLAY reply's RTP-Info: every packet
    of the new source counts as "before seqnum-base" and is dropped, the picture stops, and the
    ingest used to be restarted again and again (the reconnect storm). The caps entering rtpbin
    lose those two fields (the first source does not need them: we join a live stream anyway)."""

    def __init__(self, src):
        src.connect('new-manager', self.on_manager)

    def on_manager(self, _src, manager):
        manager.connect('pad-added', self.on_manager_pad)

    def on_manager_pad(self, _manager, pad):
        if pad.get_direction() == Gst.PadDirection.SINK and pad.get_name().startswith('recv_rtp_sink_'):
            pad.add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_event)

    def on_event(self, pad, info):
        event = info.get_event()
        if event.type != Gst.EventType.CAPS:
            return Gst.PadProbeReturn.OK
        caps = event.parse_caps()
        st = caps.get_structure(0) if caps.get_size() else None
        if st is None or not (st.has_field('seqnum-base') or st.has_field('clock-base')):
            return Gst.PadProbeReturn.OK
        # (get_structure returns a copy in Python: build new caps from the edited structure)
        st = st.copy()
        st.remove_field('seqnum-base')
        st.remove_field('clock-base')
        stripped = Gst.Caps.new_empty()
        stripped.append_structure(st)
        pad.send_event(Gst.Event.new_caps(stripped))
        return Gst.PadProbeReturn.DROP


NTP_UNIX_S = 2208988800


class CapturePacer:
    """Lip-sync for a camera with live audio: stamps every RTP packet leaving rtspsrc with the time
    the camera captured it (its RTP time through the camera's RTCP sender report for that SSRC),
    shifted by one delay common to audio and video, so that the paced udpsinks send both media in
    step with capture time. The common delay is the largest (arrival - capture) seen over the last
    PACE_WINDOW_S (see observe): the latest-arriving medium (a camera packing 64-128 ms of audio
    into one packet) sets it, the other is held back to match. rtpbin's own rtcp-sync is not relied
    on: it re-derives each stream's offset from its own jitter estimate on every report, and the
    two moved tens of ms apart from report to report (docs/recording-time-and-audio.md)."""

    def __init__(self, pipeline, src):
        self.pipeline = pipeline
        self.reports = {}  # ssrc -> (NTP time of its last sender report in ns, RTP time of it)
        self.delays = []  # (clock time, session, arrival - capture), oldest first
        self.delay = None  # the common delay (ns): stamp = capture + delay
        self.target = 0
        self.least = {}  # session -> least (arrival - capture) of the window
        self.seen = 0
        self.last = 0
        self.hooked = set()
        src.connect('new-manager', self.on_manager)

    def on_manager(self, _src, manager):
        manager.connect('pad-added', lambda m, pad: GLib.idle_add(self.hook_session, m, pad.get_name()))

    def hook_session(self, manager, name):
        if name.startswith('recv_rtp_sink_'):
            sid = int(name.rsplit('_', 1)[1])
            if sid not in self.hooked:
                session = manager.emit('get-internal-session', sid)
                if session is not None:
                    self.hooked.add(sid)
                    session.connect('on-receiving-rtcp', self.on_rtcp)
        return False

    def on_rtcp(self, _session, buf):
        rtcp = GstRtp.RTCPBuffer()
        if not GstRtp.rtcp_buffer_map(buf, Gst.MapFlags.READ, rtcp):
            return
        try:
            packet = GstRtp.RTCPPacket()
            ok = rtcp.get_first_packet(packet)
            while ok:
                if packet.get_type() == GstRtp.RTCPType.SR:
                    ssrc, ntp, rtp_ts, _packets, _octets = packet.sr_get_sender_info()
                    ntp_ns = ((ntp >> 32) - NTP_UNIX_S) * Gst.SECOND + (((ntp & 0xFFFFFFFF) * Gst.SECOND) >> 32)
                    self.reports[ssrc] = (ntp_ns, rtp_ts)
                ok = packet.move_to_next()
        finally:
            rtcp.unmap()

    def watch(self, pad):
        """Stamps the packets of one rtspsrc pad (recv_rtp_src_<session>_<ssrc>_<pt>)."""
        s = caps_struct(pad)
        ok, rate = s.get_int('clock-rate') if s else (False, 0)
        # (No AAC priming shift here: GStreamer's AAC decoder stamps each access unit's samples with
        # the unit's own RTP time, measured exact to 0.1 ms on the zoo's AAC camera; shifting them
        # by 1024 samples made AAC 64 ms early. docs/recording-time-and-audio.md.)
        try:
            _r, _r2, _s, sid, ssrc = pad.get_name().split('_')[:5]
            key = (int(sid), int(ssrc), rate)
        except ValueError:
            return
        if ok and rate > 0:
            pad.add_probe(Gst.PadProbeType.BUFFER, self.on_buffer, key)

    def on_buffer(self, _pad, info, key):
        sid, ssrc, rate = key
        clock = self.pipeline.get_clock()
        if clock is None:
            return Gst.PadProbeReturn.OK
        now = clock.get_time()
        report = self.reports.get(ssrc)
        if report is None:
            # No sender report for this SSRC yet (the first second, or a camera whose encoder just
            # restarted): capture estimated from its medium's least delay, so the stamps go on
            # from the paced ones instead of jumping back (Chromium drops frames that go back).
            least = self.least.get(sid)
            if least is None or self.delay is None:
                return Gst.PadProbeReturn.OK
            capture = now - least
        else:
            buf = info.get_buffer()
            ok, rtp = GstRtp.RTPBuffer.map(buf, Gst.MapFlags.READ)
            if not ok:
                return Gst.PadProbeReturn.OK
            ts = rtp.get_timestamp()
            rtp.unmap()
            ntp_ns, sr_ts = report
            diff = ((ts - sr_ts + 0x80000000) & 0xFFFFFFFF) - 0x80000000
            capture = ntp_ns + diff * Gst.SECOND // rate
            self.observe(sid, now, now - capture)
        pts = capture + self.delay - self.pipeline.get_base_time()
        if pts >= 0:
            buf = info.get_buffer()
            buf.pts = pts
            buf.dts = Gst.CLOCK_TIME_NONE
        return Gst.PadProbeReturn.OK

    def report(self):
        """A WWEVENT line on stderr: how long each medium is held behind its least delay, and the
        pipeline latency the paced udpsinks add on top."""
        if self.delay is not None:
            q = Gst.Query.new_latency()
            latency = q.parse_latency()[1] / 1e6 if self.pipeline.query(q) else None
            log_event(event='paced', holdMs={str(k): round((self.delay - v) / 1e6, 1) for k, v in self.least.items()}, latencyMs=latency)
        return True

    def observe(self, sid, now, d):
        """The common delay: up at once to a packet that arrived later than it (else it would leave
        late), down slowly (PACE_DECAY of real time) towards the largest delay of the window, so
        that stamps never go back. (Covering only a quantile of the delays, the latest packets
        leaving late, was tried: lip-sync scattered more and the hold hardly shrank.)"""
        self.delays.append((now, sid, d))
        self.seen += 1
        horizon = now - PACE_WINDOW_S * Gst.SECOND
        while self.delays and self.delays[0][0] < horizon:
            self.delays.pop(0)
        if self.seen % 50 == 1:
            self.target = max(x for _, _, x in self.delays)
            least = {}
            for _, k, x in self.delays:
                least[k] = min(x, least.get(k, x))
            self.least = least
        elif d < self.least.get(sid, d + 1):
            self.least[sid] = d
        if self.delay is None or d > self.delay:
            self.delay = d
        elif self.delay > self.target:
            self.delay = max(self.target, self.delay - int((now - self.last) * PACE_DECAY))
        self.last = now


class ResampleFollower:
    """Keeps the live audio branch's resampler on the paced timestamps. audioresample times its
    output from its first buffer (t0) plus the samples it has taken in, and ignores the input's
    timestamps until they are more than rate/32 samples (31.25 ms, at any rate) away from that:
    every move of the paced stamps smaller than that (the first sender report replacing the
    estimated stamps, the common delay going up) stayed in the audio as an offset for the rest of
    the run, a different one every run (measured 0 to 23 ms at the resampler, up to 31 possible;
    docs/recording-time-and-audio.md). The decoder before it and opusenc after it follow their
    input's timestamps. This mirrors the resampler's own rule (gst_audio_resample_check_discont:
    anew at a DISCONT buffer, after a segment or a flush, or beyond rate/32 samples) and adds the input's
    offset from that timeline to the resampler's output, which then carries the paced stamps."""

    def __init__(self, resample):
        self.resample = resample
        self.t0 = None
        self.samples = 0
        self.shift = 0
        resample.get_static_pad('sink').add_probe(Gst.PadProbeType.BUFFER | Gst.PadProbeType.EVENT_DOWNSTREAM | Gst.PadProbeType.EVENT_FLUSH, self.on_input)
        resample.get_static_pad('src').add_probe(Gst.PadProbeType.BUFFER, self.on_output)

    def on_input(self, pad, info):
        if not info.type & Gst.PadProbeType.BUFFER:
            # (the events on which audioresample drops its timeline; caps alone keep it)
            if info.get_event().type in (Gst.EventType.SEGMENT, Gst.EventType.FLUSH_STOP):
                self.t0 = None
            return Gst.PadProbeReturn.OK
        buf = info.get_buffer()
        caps = pad.get_current_caps()
        audio = GstAudio.AudioInfo.new_from_caps(caps) if caps else None
        if audio is None or audio.rate <= 0 or audio.bpf <= 0 or buf.pts == Gst.CLOCK_TIME_NONE:
            return Gst.PadProbeReturn.OK
        rate = audio.rate
        if self.t0 is not None and not buf.has_flags(Gst.BufferFlags.DISCONT):
            # (unsigned there: a stamp before t0 is a discontinuity too)
            offset = ((buf.pts - self.t0) * rate + Gst.SECOND // 2) // Gst.SECOND
            if buf.pts < self.t0 or abs(offset - self.samples) > rate >> 5:
                self.t0 = None
        if self.t0 is None or buf.has_flags(Gst.BufferFlags.DISCONT):
            self.t0 = buf.pts
            self.samples = 0
        self.shift = buf.pts - (self.t0 + self.samples * Gst.SECOND // rate)
        self.samples += buf.get_size() // audio.bpf
        return Gst.PadProbeReturn.OK

    def on_output(self, _pad, info):
        buf = info.get_buffer()
        if self.shift and buf.pts != Gst.CLOCK_TIME_NONE and not self.resample.is_passthrough():
            buf.pts = max(0, buf.pts + self.shift)
        return Gst.PadProbeReturn.OK


def caps_struct(pad):
    caps = pad.get_current_caps() or pad.query_caps(None)
    return caps.get_structure(0) if caps and caps.get_size() else None


class Probe:
    def __init__(self, cfg, loop):
        self.cfg = cfg
        self.loop = loop
        self.pipeline = Gst.Pipeline.new('probe')
        self.src = make_rtspsrc(cfg)
        self.pipeline.add(self.src)
        self.src.connect('pad-added', self.on_pad)
        self.video = None
        self.audio = []
        self.timestamps = []
        self.reordered = False
        self.last_ts = None
        self.first_packet = None
        self.parsed = {}
        self.done = False
        # The admin page's Test asks for one decoded keyframe as a JPEG (base64 in the report).
        self.want_snapshot = bool(cfg.get('snapshot'))
        self.snapshot = None

    def on_pad(self, _src, pad):
        s = caps_struct(pad)
        if s is None:
            return
        media = s.get_string('media')
        enc = (s.get_string('encoding-name') or '').upper()
        if media == 'audio':
            ok, rate = s.get_int('clock-rate')
            params = s.get_string('encoding-params')
            self.audio.append({'encodingName': enc, 'clockRate': rate if ok else None, 'channels': int(params) if params and params.isdigit() else 1})
            sink = make('fakesink', sync=False)
            self.pipeline.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad('sink'))
            return
        if media != 'video' or self.video is not None:
            sink = make('fakesink', sync=False)
            self.pipeline.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad('sink'))
            return
        self.video = {'encodingName': enc, 'profileLevelId': s.get_string('profile-level-id')}
        pad.add_probe(Gst.PadProbeType.BUFFER, self.on_rtp)
        if enc in DEPAY:
            if self.want_snapshot:
                tail = [make('identity', drop_buffer_flags=Gst.BufferFlags.DELTA_UNIT), make(DECODE[enc], max_threads=1), make('videoconvert'),
                        make('videoscale'), make('capsfilter', caps=Gst.Caps.from_string('video/x-raw,width=[16,640],pixel-aspect-ratio=1/1')),
                        make('jpegenc', quality=80), make('appsink', emit_signals=True, sync=False, max_buffers=1, drop=True)]
                tail[-1].connect('new-sample', self.on_snapshot)
            else:
                tail = [make('fakesink', sync=False)]
            chain = [make(DEPAY[enc]), make(PARSE[enc])] + tail
            for el in chain:
                self.pipeline.add(el)
            for a, b in zip(chain, chain[1:]):
                if not a.link(b):
                    raise RuntimeError(f'cannot link {a.get_name()} to {b.get_name()}')
            chain[1].get_static_pad('src').connect('notify::caps', self.on_parsed_caps)
            for el in chain:
                el.sync_state_with_parent()
            pad.link(chain[0].get_static_pad('sink'))
        else:
            sink = make('fakesink', sync=False)
            self.pipeline.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad('sink'))

    def on_parsed_caps(self, pad, _pspec):
        caps = pad.get_current_caps()
        if not caps:
            return
        s = caps.get_structure(0)
        out = {}
        for key in ('profile', 'level', 'tier'):
            v = s.get_string(key)
            if v:
                out[key] = v
        for key in ('width', 'height'):
            ok, v = s.get_int(key)
            if ok:
                out[key] = v
        self.parsed = out

    def on_snapshot(self, sink):
        sample = sink.emit('pull-sample')
        if sample is not None and self.snapshot is None:
            buf = sample.get_buffer()
            ok, info = buf.map(Gst.MapFlags.READ)
            if ok:
                self.snapshot = bytes(info.data)
                buf.unmap(info)
        return Gst.FlowReturn.OK

    def on_rtp(self, _pad, info):
        buf = info.get_buffer()
        ok, rtp = GstRtp.RTPBuffer.map(buf, Gst.MapFlags.READ)
        if not ok:
            return Gst.PadProbeReturn.OK
        ts = rtp.get_timestamp()
        rtp.unmap()
        now = time.monotonic()
        if self.first_packet is None:
            self.first_packet = now
        if self.last_ts is None or ts != self.last_ts:
            # A frame stamped shortly before the previous one: B-frames (reordering). A step back of
            # half a second or more is a glitch of the camera's clock, not a reorder.
            if self.last_ts is not None and 0 < ((self.last_ts - ts) & 0xFFFFFFFF) < REORDER_MAX_STEP:
                self.reordered = True
            if ts not in self.timestamps[-8:]:
                self.timestamps.append(ts)
            self.last_ts = ts
        frames = len(self.timestamps)
        elapsed = now - self.first_packet
        snapped = self.snapshot is not None or not self.want_snapshot
        if not self.done and ((frames >= 13 and self.parsed.get('width') and elapsed >= 1.2 and snapped) or elapsed * 1000 >= self.cfg.get('probeMs', 4000)):
            self.done = True
            GLib.idle_add(self.finish)
        return Gst.PadProbeReturn.OK

    def fps(self):
        ts = self.timestamps
        if len(ts) < 3:
            return None
        base = ts[0]
        rel = sorted({(t - base + 0x80000000) & 0xFFFFFFFF for t in ts})
        deltas = sorted(b - a for a, b in zip(rel, rel[1:]) if b > a)
        if not deltas:
            return None
        return round(90000 / deltas[len(deltas) // 2], 2)

    def finish(self):
        video = dict(self.video or {})
        video.update(self.parsed)
        video['fps'] = self.fps()
        # Baseline profiles cannot carry B-frames: a step back there is the camera's glitch.
        video['reordering'] = self.reordered and video.get('profile') not in ('baseline', 'constrained-baseline')
        video['frames'] = len(self.timestamps)
        report = {'video': video if self.video else None, 'audio': self.audio}
        if self.snapshot is not None:
            import base64
            report['snapshot'] = base64.b64encode(self.snapshot).decode('ascii')
        print(json.dumps(report), flush=True)
        self.loop.quit()
        return False


class Run:
    def __init__(self, cfg, loop):
        self.cfg = cfg
        self.loop = loop
        codec = cfg.get('codec', 'H264')
        self.codec = codec
        self.pipeline = Gst.Pipeline.new('ingest')
        # Lip-sync (pipeline-args.ts pacedRun): with live audio, both udpsinks send each packet at
        # its running time + the pipeline latency, so audio and video reach mediasoup in step with
        # the camera's capture time (mediasoup's sender reports to the browser follow arrival).
        self.paced = cfg.get('paced')
        self.src = make_rtspsrc(cfg, self.paced)
        self.restarts = EncoderRestarts(self.src)
        self.pacer = CapturePacer(self.pipeline, self.src) if self.paced else None
        if self.pacer is not None:
            GLib.timeout_add_seconds(10, self.pacer.report)
        self.pipeline.add(self.src)
        self.src.connect('pad-added', self.on_pad)
        self.video_pad = None
        # Live audio: a bin (decode -> Opus -> RTP -> udpsink) that rtspsrc's audio pad feeds. Built
        # only when the camera offers an audio pad: an idle sink in the pipeline would hold up the
        # still branch.
        self.audio_desc = cfg.get('audioBranch')
        self.audio_bin = None
        self.follower = None
        # Source chain: depay (+ decode and re-encode when transcoding) -> H.264 access units.
        self.depay = make(DEPAY[codec])
        chain = [self.depay]
        if cfg.get('transcode'):
            enc = cfg.get('encoder', {})
            chain += [make(PARSE[codec]), make(DECODE[codec], max_threads=1), make('videoconvert'),
                      make('capsfilter', caps=Gst.Caps.from_string('video/x-raw,format=I420')),
                      make('openh264enc', bitrate=int(enc.get('bitrateKbps', 1500)) * 1000, gop_size=int(enc.get('gopFrames', 25)),
                           complexity=0, rate_control=1, usage_type=0),
                      make('h264parse')]
        chain += [make('capsfilter', caps=Gst.Caps.from_string('video/x-h264,stream-format=byte-stream,alignment=au'))] if cfg.get('transcode') else []
        tee = make('tee')
        chain.append(tee)
        for el in chain:
            self.pipeline.add(el)
        for a, b in zip(chain, chain[1:]):
            if not a.link(b):
                raise RuntimeError(f'cannot link {a.get_name()} to {b.get_name()}')
        # Live branch: no queue (runs in the depayloader's thread, udpsink never blocks).
        pay = make('rtph264pay', config_interval=-1, pt=cfg['payloadType'], ssrc=cfg['ssrc'], mtu=cfg['mtu'])
        pay.set_property('aggregate-mode', 'zero-latency')
        # A restarted run continues the previous run's RTP time and sequence (a viewer's consumer
        # outlives the pipeline; a jump back makes Chromium drop every frame as too old).
        if 'timestampOffset' in cfg:
            pay.set_property('timestamp-offset', int(cfg['timestampOffset']))
            pay.set_property('seqnum-offset', int(cfg['seqnumOffset']))
        udp = make('udpsink', host=cfg['rtpHost'], port=cfg['rtpPort'], bind_address=cfg['rtpHost'], bind_port=cfg['sourcePort'], sync=bool(self.paced))
        udp.set_property('async', False)
        # Paced: the udpsink waits for each packet's time; a queue keeps that wait out of the
        # depayloader's (and the transcoder's) thread.
        live = [make('queue', max_size_buffers=0, max_size_bytes=0, max_size_time=2 * Gst.SECOND), pay, udp] if self.paced else [pay, udp]
        # Still branch: keyframes only, decoded -> JPEG still + grey thumbnail, multipart on stdout.
        desc = (f'queue leaky=downstream max-size-buffers=60 max-size-bytes=0 max-size-time=0 ! h264parse ! '
                f'video/x-h264,alignment=au,stream-format=byte-stream ! identity drop-buffer-flags=delta-unit ! avdec_h264 ! '
                f'videoconvert ! tee name=k k. ! queue ! jpegenc quality=80 ! parts.sink_0 '
                f'k. ! queue ! videoscale ! videoconvert ! video/x-raw,format=GRAY8,width={cfg["thumbWidth"]},height={cfg["thumbHeight"]} ! '
                f'pnmenc ! parts.sink_1 multipartmux name=parts boundary={cfg["boundary"]} ! fdsink fd=1 sync=false')
        stills = Gst.parse_bin_from_description(desc, True)
        for el in live + [stills]:
            self.pipeline.add(el)
        tee.link(live[0])
        for a, b in zip(live, live[1:]):
            a.link(b)
        tee.link(stills)
        self.bridge = make_gop_bridge(self.pipeline, cfg, tee)

    def on_pad(self, _src, pad):
        s = caps_struct(pad)
        media = s.get_string('media') if s else None
        if self.pacer is not None and media in ('audio', 'video'):
            self.pacer.watch(pad)
        if media == 'audio' and self.audio_desc:
            if self.audio_bin is None:
                # Not ghost_unlinked_pads: decodebin's delayed link leaves audioconvert's sink pad
                # unlinked, and it would be ghosted instead of the queue's.
                self.audio_bin = Gst.parse_bin_from_description(self.audio_desc, False)
                first = self.audio_bin.get_by_name('audioin')
                self.audio_bin.add_pad(Gst.GhostPad.new('sink', first.get_static_pad('sink')))
                resample = self.audio_bin.get_by_name('resample')
                if resample is not None and self.pacer is not None:
                    self.follower = ResampleFollower(resample)
                self.pipeline.add(self.audio_bin)
            sink = self.audio_bin.get_static_pad('sink')
            peer = sink.get_peer()
            if peer is not None:
                # Encoder restart: the new audio stream replaces the old one.
                peer.unlink(sink)
            pad.link(sink)
            # Pads appear while rtspsrc is still going to PLAYING: the bin follows the pipeline now
            # and once more from the main loop, so it never stays behind in PAUSED.
            self.audio_bin.sync_state_with_parent()
            GLib.idle_add(lambda: (self.audio_bin.set_state(Gst.State.PLAYING), False)[1])
            return
        if media != 'video':
            # Audio without a live branch (audio: false) and anything else: drained.
            sink = make('fakesink', sync=False)
            self.pipeline.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad('sink'))
            return
        enc = (s.get_string('encoding-name') or '').upper()
        if enc != self.codec:
            sys.stderr.write(f'unsupported codec {enc} (expected {self.codec})\n')
            GLib.idle_add(lambda: self.quit(3))
            return
        sink = self.depay.get_static_pad('sink')
        old = self.video_pad
        if old is not None:
            # Encoder restart inside the session (new SSRC): the new stream replaces the old one.
            peer = sink.get_peer()
            if peer is not None:
                peer.unlink(sink)
            log_event(event='source_changed', pad=pad.get_name())
        self.video_pad = pad
        pad.link(sink)

    def quit(self, code):
        self.code = code
        self.loop.quit()
        return False


def make_gop_bridge(pipeline, cfg, tee):
    """The GOP bridge (gop_bridge.py): passthrough H.264 with a bridge target only."""
    if not cfg.get('bridge') or cfg.get('transcode') or cfg.get('codec', 'H264') != 'H264':
        return None
    sys.dont_write_bytecode = True  # no __pycache__ beside the installed script
    from gop_bridge import GopBridge
    return GopBridge(pipeline, cfg, tee.get_static_pad('sink'))


def on_bridge_signal(worker):
    """SIGUSR1 from the SFU: a viewer joins; start (or share) a GOP bridge."""
    bridge = getattr(worker, 'bridge', None)
    if bridge is not None:
        bridge.request()
    return True


def die_with_parent():
    """Never outlive the SFU: a pipeline orphaned by a killed SFU would keep a camera session open
    and send to a port nobody reads. SIGTERM when the parent dies (Linux prctl PR_SET_PDEATHSIG)."""
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
    cfg = json.loads(sys.stdin.read())
    loop = GLib.MainLoop()
    worker = Probe(cfg, loop) if cfg.get('mode') == 'probe' else Run(cfg, loop)
    worker.code = 0
    bus = worker.pipeline.get_bus()
    bus.add_signal_watch()

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            sys.stderr.write(f'ERROR: {err.message}\n{(debug or "")[:400]}\n')
            worker.code = 1
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            sys.stderr.write('end of stream\n')
            worker.code = 0
            loop.quit()
        elif msg.type == Gst.MessageType.WARNING:
            err, _debug = msg.parse_warning()
            sys.stderr.write(f'WARNING: {err.message}\n')

    bus.connect('message', on_message)
    if cfg.get('mode') == 'probe':
        GLib.timeout_add(int(cfg.get('probeTimeoutMs', 12000)), lambda: (sys.stderr.write('probe timed out: no media\n'), worker.quit(2))[1])

    def stop(*_):
        worker.code = 0
        loop.quit()
        return False

    import signal
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGUSR1, lambda: on_bridge_signal(worker))
    worker.pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    worker.pipeline.set_state(Gst.State.NULL)
    sys.stdout.flush()
    sys.stderr.flush()
    # No interpreter teardown while GStreamer threads may still call back into Python.
    os._exit(worker.code)


if __name__ == '__main__':
    main()
