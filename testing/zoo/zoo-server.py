#!/usr/bin/python3
"""The camera zoo: awkward test cameras, one behaviour each, served by Debian GStreamer's RTSP server
in one process on loopback (see zoo.ts, which builds the spec and starts this).

Reads a JSON spec on stdin:
  {"host": "127.0.0.1", "port": 0, "user": null, "password": null,
   "kinds": [{"name": "bframes", "ffmpeg": [...], "video": "H264"|"H265", "audio": null|"PCMA"|"AAC",
              "restartEveryS": null|20}, ...]}
For each kind, one ffmpeg child renders and encodes the picture (and audio); video-only kinds send
RTP straight to a socket bound here (no container latency), audio kinds write live Matroska to a
pipe (one timeline for exact lip sync); a feeder pipeline here depayloads/demuxes and payloads it to RTP (SPS/PPS before every keyframe, as
cameras do) into an appsink; every RTSP client's media gets those packets through an appsrc named
payN. A kind with restartEveryS rewrites the RTP header like a camera whose encoder restarts inside
one RTSP session: at the first keyframe after the interval, a new SSRC, sequence base and timestamp
base.

Prints one line `READY {"port": N, "mounts": {...}}` when every kind produced its first packets,
then one JSON line per event (`{"event": "restart", ...}`). SIGTERM/SIGINT stop it and its children.
"""
import ctypes
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
gi.require_version('GstApp', '1.0')
gi.require_version('GstRtp', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib, Gst, GstApp, GstRtp, GstRtspServer  # noqa: E402

Gst.init(None)

NTP_UNIX_S = 2208988800

# ffmpeg's own RTP (video-only kinds: no container between the encoder and us, no added latency).
RTP_CAPS = {
    'H264': 'application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96',
    'H265': 'application/x-rtp,media=video,clock-rate=90000,encoding-name=H265,payload=96',
}
DEPAYLOADERS = {'H264': 'rtph264depay', 'H265': 'rtph265depay'}

PAYLOADERS = {
    'H264': 'h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au ! rtph264pay pt=96 config-interval=-1 mtu=1400',
    'H265': 'h265parse config-interval=-1 ! video/x-h265,stream-format=byte-stream,alignment=au ! rtph265pay pt=96 config-interval=-1 mtu=1400',
    'PCMA': 'rtppcmapay pt=8 mtu=1400',
    'AAC': 'aacparse ! rtpmp4gpay pt=97 mtu=1400',
}

stdout_lock = threading.Lock()
# zoo.ts prints frame 0's wall-clock stamp through ffmpeg's showinfo filter.
FRAME0 = re.compile(r'Parsed_showinfo.*\bpts:\s*([0-9]+)\b')


def emit(line):
    with stdout_lock:
        sys.stdout.write(line + '\n')
        sys.stdout.flush()


def event(**fields):
    emit(json.dumps(fields))


def die_with_parent():
    # The ffmpeg child dies with this process even if it is killed with SIGKILL.
    libc = ctypes.CDLL('libc.so.6', use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def is_keyframe_start_h264(payload):
    if not payload:
        return False
    nal = payload[0] & 0x1F
    if nal == 24 and len(payload) > 3:  # STAP-A: the first aggregated NAL unit
        nal = payload[3] & 0x1F
    elif nal == 28 and len(payload) > 1:  # FU-A: only the first fragment
        if not payload[1] & 0x80:
            return False
        nal = payload[1] & 0x1F
    return nal in (5, 7, 8)


def is_keyframe_start_h265(payload):
    if len(payload) < 3:
        return False
    nal = (payload[0] >> 1) & 0x3F
    if nal == 48 and len(payload) > 5:  # aggregation packet
        nal = (payload[4] >> 1) & 0x3F
    elif nal == 49:  # fragmentation unit
        if not payload[2] & 0x80:
            return False
        nal = payload[2] & 0x3F
    return 16 <= nal <= 21 or nal in (32, 33, 34)


class Track:
    """One RTP stream of a kind (video or audio): caps and the appsrcs of the active media."""

    def __init__(self, kind, media_type, codec):
        self.kind = kind
        self.media_type = media_type
        self.codec = codec
        self.caps = None
        self.appsrcs = set()
        self.lock = threading.Lock()
        self.packets = 0
        # Header rewriting (all tracks get a camera-like random base; restart kinds change it).
        self.ssrc = random.getrandbits(32)
        self.seq_offset = random.getrandbits(16)
        self.ts_offset = random.getrandbits(32)
        self.restarts = 0
        self.last_restart = time.monotonic()
        self.clock_offset = None
        self.caps_from_side = False
        # ffmpeg's RTP timestamps (video-only kinds), unwrapped from the first packet (frame 0).
        self.rtp_prev = None
        self.rtp_ext = 0
        # (SSRC, RTP timestamp as sent, capture wall time ns) of the last packet with a known capture
        # time: the RTP clock's place on the capture clock, for the sender reports (fix_sender_report).
        self.capture_ref = None
        self.clock_rate = 90000 if media_type == 'video' else None

    def on_caps_sample(self, sink):
        sample = sink.emit('pull-sample')
        if sample is not None and self.caps is None:
            caps = sample.get_caps().to_string()
            if 'sprop-' in caps:
                self.caps = caps
        return Gst.FlowReturn.OK

    def rewrite(self, data):
        restart_every = self.kind.restart_every_s
        if restart_every and self.media_type == 'video' and time.monotonic() - self.last_restart >= restart_every:
            cc = data[0] & 0x0F
            payload = data[12 + 4 * cc:]
            key = is_keyframe_start_h264(payload) if self.codec == 'H264' else is_keyframe_start_h265(payload)
            if key:
                self.ssrc = random.getrandbits(32)
                self.seq_offset = random.getrandbits(16)
                self.ts_offset = random.getrandbits(32)
                self.restarts += 1
                self.last_restart = time.monotonic()
                out_seq = (int.from_bytes(data[2:4], 'big') + self.seq_offset) & 0xFFFF
                out_ts = (int.from_bytes(data[4:8], 'big') + self.ts_offset) & 0xFFFFFFFF
                event(event='restart', kind=self.kind.name, restarts=self.restarts, ssrc=self.ssrc, seq=out_seq,
                      rtptime=out_ts, atMs=int(time.time() * 1000))
        seq = (int.from_bytes(data[2:4], 'big') + self.seq_offset) & 0xFFFF
        ts = (int.from_bytes(data[4:8], 'big') + self.ts_offset) & 0xFFFFFFFF
        data[2:4] = seq.to_bytes(2, 'big')
        data[4:8] = ts.to_bytes(4, 'big')
        data[8:12] = self.ssrc.to_bytes(4, 'big')
        return data

    def media_time(self, data, buf):
        """The packet's time on ffmpeg's media timeline (ns): its RTP timestamp when ffmpeg sends RTP
        (unwrapped, 0 at the first packet, which is frame 0's), else the demuxer's timestamp."""
        if self.caps_from_side:
            ts = int.from_bytes(data[4:8], 'big')
            if self.rtp_prev is not None:
                d = (ts - self.rtp_prev) & 0xFFFFFFFF
                self.rtp_ext += d - (1 << 32) if d >= 1 << 31 else d
            self.rtp_prev = ts
            return self.rtp_ext * 1_000_000_000 // 90000
        return buf.pts if buf.pts != Gst.CLOCK_TIME_NONE else None

    def on_sample(self, sink):
        sample = sink.emit('pull-sample')
        if sample is None:
            return Gst.FlowReturn.EOS
        if self.caps is None and not self.caps_from_side:
            self.caps = sample.get_caps().to_string()
        if self.clock_rate is None:
            ok, rate = sample.get_caps().get_structure(0).get_int('clock-rate')
            self.clock_rate = rate if ok and rate > 0 else None
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.FlowReturn.OK
        data = bytearray(info.data)
        buf.unmap(info)
        self.packets += 1
        media = self.media_time(data, buf)
        data = self.rewrite(data)
        now = Gst.SystemClock.obtain().get_time()
        capture = self.kind.capture_wall_ns(media, self.media_type)
        if capture is not None:
            with self.lock:
                self.capture_ref = (int.from_bytes(data[8:12], 'big'), int.from_bytes(data[4:8], 'big'), capture)
            # Like a camera whose clock is right: the buffer time is the frame's capture time, not the
            # time it left the encoder (and the sender reports say so: fix_sender_report).
            clock_time = now - (time.time_ns() - capture)
        elif media is None:
            clock_time = now
        else:
            # Media time (ffmpeg's, shared by audio and video) mapped onto the system clock at the
            # first packet, so that every media's RTCP keeps audio and video in sync.
            if self.kind.clock_offset is None:
                self.kind.clock_offset = now - media
            clock_time = media + self.kind.clock_offset
        with self.lock:
            targets = list(self.appsrcs)
        for src in targets:
            base = src.get_base_time()
            out = Gst.Buffer.new_wrapped(bytes(data))
            out.pts = max(0, clock_time - base) if base else Gst.CLOCK_TIME_NONE
            src.emit('push-buffer', out)
        return Gst.FlowReturn.OK


class Kind:
    def __init__(self, spec):
        self.name = spec['name']
        self.ffmpeg_args = spec['ffmpeg']
        self.video = spec['video']
        self.audio = spec.get('audio')
        self.restart_every_s = spec.get('restartEveryS')
        self.tracks = [Track(self, 'video', self.video)]
        if self.audio:
            self.tracks.append(Track(self, 'audio', self.audio))
        self.proc = None
        self.pipeline = None
        self.clock_offset = None
        self.stopping = False
        # Wall-clock time (ns) at which ffmpeg drew frame 0 (its showinfo line), and frame 0's media time.
        self.frame0_wall_ns = None
        self.frame0_media = None

    def capture_wall_ns(self, media, media_type):
        """When the packet at this media time was captured (drawn), by the wall clock; None when unknown."""
        if media is None or self.frame0_wall_ns is None:
            return None
        if self.frame0_media is None:
            if media_type != 'video':
                return None
            self.frame0_media = media
        return self.frame0_wall_ns + (media - self.frame0_media)

    def start(self):
        self.clock_offset = None
        self.frame0_wall_ns = None
        self.frame0_media = None
        for t in self.tracks:
            t.rtp_prev = None
            t.rtp_ext = 0
        args = self.ffmpeg_args
        sock = None
        if not self.audio:
            # Video only: ffmpeg sends RTP to a socket bound here (its RTCP goes to port+1, unread).
            sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP)
            sock.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), False)
            port = sock.get_local_address().get_port()
            args = [a.replace('{VIDEO_PORT}', str(port)) for a in args]
        self.proc = subprocess.Popen(['ffmpeg'] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=die_with_parent, env={**os.environ, 'TZ': 'Asia/Ho_Chi_Minh'})
        threading.Thread(target=self.pump_stderr, args=(self.proc,), daemon=True).start()
        if sock is not None:
            # ffmpeg's packets are forwarded as they are (RTP timestamps = the encoder's PTS, so
            # B-frames arrive reordered as from a real camera); a side branch re-payloads them only
            # to learn the caps (sprop-parameter-sets, profile-level-id) for the SDP.
            desc = (f'udpsrc name=u buffer-size=2000000 caps="{RTP_CAPS[self.video]}" ! tee name=t '
                    f't. ! queue ! appsink name=v emit-signals=true sync=false max-buffers=200 drop=true '
                    f't. ! queue ! {DEPAYLOADERS[self.video]} ! {PAYLOADERS[self.video]} ! appsink name=c emit-signals=true sync=false max-buffers=5 drop=true')
        else:
            desc = f'fdsrc fd={self.proc.stdout.fileno()} ! matroskademux name=d d.video_0 ! queue ! {PAYLOADERS[self.video]} ! appsink name=v emit-signals=true sync=false max-buffers=200 drop=true'
        if self.audio:
            desc += f' d.audio_0 ! queue ! {PAYLOADERS[self.audio]} ! appsink name=a emit-signals=true sync=false max-buffers=200 drop=true'
        self.pipeline = Gst.parse_launch(desc)
        if sock is not None:
            self.pipeline.get_by_name('u').set_property('socket', sock)
        self.pipeline.get_by_name('v').connect('new-sample', self.tracks[0].on_sample)
        if sock is not None:
            self.tracks[0].caps_from_side = True
            self.pipeline.get_by_name('c').connect('new-sample', self.tracks[0].on_caps_sample)
        if self.audio:
            self.pipeline.get_by_name('a').connect('new-sample', self.tracks[1].on_sample)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect('message', self.on_message)
        self.pipeline.set_state(Gst.State.PLAYING)

    def pump_stderr(self, proc):
        for line in proc.stderr:
            text = line.decode('utf-8', 'replace').strip()
            m = FRAME0.search(text)
            if m:
                # showinfo of frame 0 before its time was reset (zoo.ts): pts is the wall clock in µs.
                self.frame0_wall_ns = int(m.group(1)) * 1000
                continue
            if text:
                event(event='ffmpeg', kind=self.name, line=text[:300])

    def on_message(self, bus, msg):
        if msg.type in (Gst.MessageType.EOS, Gst.MessageType.ERROR):
            detail = msg.parse_error()[0].message if msg.type == Gst.MessageType.ERROR else 'eos'
            event(event='feeder-ended', kind=self.name, detail=detail)
            self.stop()
            if not self.stopping:
                GLib.timeout_add(1000, self.restart_feeder)

    def restart_feeder(self):
        if not self.stopping:
            self.start()
        return False

    def stop(self):
        if self.pipeline is not None:
            self.pipeline.set_state(Gst.State.NULL)
            self.pipeline = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None

    @property
    def ready(self):
        return all(t.caps is not None for t in self.tracks)


def fix_sender_report(tracks, buf):
    """Rewrites the RTP time of our sender reports so that they carry capture time.

    GStreamer's RTSP server (1.22) pairs the RTP timestamp of the last packet it sent with the wall
    clock when it sends the report, so its reports place a frame at its send time, not at its capture
    time: ahead by the encoder's latency (measured: 15-60 ms for the zerolatency kinds, 80-350 ms for
    x264 with B-frames and lookahead), like a camera whose clock runs ahead by that much. A camera with
    a right clock reports the RTP time of the instant its NTP time names (RFC 3550 6.4.1): the report
    keeps its NTP time and gets the RTP time of that instant on the capture clock."""
    rtcp = GstRtp.RTCPBuffer()
    ok = GstRtp.rtcp_buffer_map(buf, Gst.MapFlags.READ | Gst.MapFlags.WRITE, rtcp)
    if not ok:
        return
    try:
        packet = GstRtp.RTCPPacket()
        ok = rtcp.get_first_packet(packet)
        while ok:
            if packet.get_type() == GstRtp.RTCPType.SR:
                ssrc, ntptime, rtptime, packets, octets = packet.sr_get_sender_info()
                for t in tracks:
                    with t.lock:
                        ref = t.capture_ref
                    if ref is None or ref[0] != ssrc or not t.clock_rate:
                        continue
                    _ssrc, ref_ts, ref_capture = ref
                    ntp_ns = ((ntptime >> 32) - NTP_UNIX_S) * 1_000_000_000 + (((ntptime & 0xFFFFFFFF) * 1_000_000_000) >> 32)
                    ts = (ref_ts + round((ntp_ns - ref_capture) * t.clock_rate / 1e9)) & 0xFFFFFFFF
                    packet.sr_set_sender_info(ssrc, ntptime, ts, packets, octets)
            ok = packet.move_to_next()
    finally:
        rtcp.unmap()


class ZooMedia(GstRtspServer.RTSPMedia):
    """A media whose RTCP sender reports carry capture time (see fix_sender_report)."""

    zoo_tracks = ()

    def do_setup_rtpbin(self, rtpbin):
        sessions = set()

        def hook(sid):
            if sid in sessions:
                return False
            session = rtpbin.emit('get-internal-session', sid)
            if session is not None:
                sessions.add(sid)
                def on_sending(_session, buf, _early):
                    try:
                        fix_sender_report(self.zoo_tracks, buf)
                    except Exception as e:  # noqa: BLE001 (the report goes out as it is)
                        event(event='sender-report-error', error=repr(e))
                    return False
                session.connect('on-sending-rtcp', on_sending)
            return False

        def on_pad_added(_rtpbin, pad):
            name = pad.get_name()
            if name.startswith('send_rtp_src_'):
                # Not from inside rtpbin's signal (it holds its lock): from the main loop.
                GLib.idle_add(hook, int(name.rsplit('_', 1)[1]))

        rtpbin.connect('pad-added', on_pad_added)
        return True


class ZooFactory(GstRtspServer.RTSPMediaFactory):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.set_shared(True)
        self.set_media_gtype(ZooMedia)
        self.set_latency(0)
        self.connect('media-configure', self.on_media_configure)

    def do_create_element(self, url):
        parts = []
        for i, track in enumerate(self.kind.tracks):
            caps = track.caps.replace('"', '\\"')
            parts.append(f'appsrc name=pay{i} is-live=true format=time do-timestamp=false max-bytes=2000000 caps="{caps}"')
        return Gst.parse_launch('( ' + ' '.join(parts) + ' )')

    def on_media_configure(self, factory, media):
        element = media.get_element()
        srcs = [(track, element.get_by_name(f'pay{i}')) for i, track in enumerate(self.kind.tracks)]
        media.zoo_tracks = tuple(self.kind.tracks)
        for track, src in srcs:
            with track.lock:
                track.appsrcs.add(src)

        def on_unprepared(_media):
            for track, src in srcs:
                with track.lock:
                    track.appsrcs.discard(src)

        media.connect('unprepared', on_unprepared)


def main():
    spec = json.loads(sys.stdin.read())
    kinds = [Kind(k) for k in spec['kinds']]
    loop = GLib.MainLoop()
    for k in kinds:
        k.start()

    server = GstRtspServer.RTSPServer()
    server.set_address(spec.get('host', '127.0.0.1'))
    server.set_service(str(spec.get('port', 0)))
    mounts = server.get_mount_points()
    user, password = spec.get('user'), spec.get('password')
    auth = None
    if user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string('media.factory.role', 'zoo')
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
    for k in kinds:
        factory = ZooFactory(k)
        if auth is not None:
            perms = GstRtspServer.RTSPPermissions()
            perms.add_permission_for_role('zoo', 'media.factory.access', True)
            perms.add_permission_for_role('zoo', 'media.factory.construct', True)
            factory.set_permissions(perms)
        mounts.add_factory('/' + k.name, factory)
    server.attach(None)

    def stop(*_):
        for k in kinds:
            k.stopping = True
            k.stop()
        loop.quit()
        return False

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    started = time.monotonic()

    def check_ready():
        if all(k.ready for k in kinds):
            emit('READY ' + json.dumps({'port': server.get_bound_port(), 'mounts': {k.name: '/' + k.name for k in kinds}}))
            return False
        if time.monotonic() - started > 60:
            event(event='not-ready', kinds=[k.name for k in kinds if not k.ready])
            stop()
        return True

    GLib.timeout_add(100, check_ready)
    loop.run()


if __name__ == '__main__':
    main()
