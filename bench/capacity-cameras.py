#!/usr/bin/python3
"""Cheap cameras for the capacity bench (bench/capacity.ts): N RTSP paths on loopback, all playing
ONE pre-encoded H.264 clip in a loop at its real rate, served by Debian GStreamer's RTSP server in
this one process. Nothing is decoded or encoded: one feeder pipeline reads the clip (MPEG-TS, made to
be concatenated, so the loop keeps its timestamps running) and parses it into access units; each
access unit is handed to every playing path's media, which payloads it to RTP (rtph264pay, SPS/PPS
in the SDP from the caps' codec_data and before every keyframe, as cameras send them). A new
session joins mid-GOP, as with a real camera (its media is ready at the next access unit, not the next
keyframe: the RTSP server prepares a shared media while its client waits).

Reads a JSON spec on stdin (credentials never on a command line):
  {"host": "127.0.0.1", "clip": "/path/clip.ts", "paths": 120, "user": "...", "password": "..."}
Path i (1..N) is /cam-<i>, a shared media (the SFU's ingest and the recorder's pull of one camera
get the same pipeline). Every request needs the basic credentials.

Prints one line `READY {"port": N}` once listening. SIGTERM/SIGINT stop it.
"""
import json
import signal
import sys
import threading

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
gi.require_version('GstApp', '1.0')
from gi.repository import GLib, Gst, GstApp, GstRtspServer  # noqa: E402,F401

Gst.init(None)


class Feeder:
    """Reads the clip in a loop at its real rate; fans each access unit out to the paths' appsrcs."""

    def __init__(self, clip):
        loc = clip.replace('\\', '\\\\').replace('"', '\\"')
        self.pipeline = Gst.parse_launch(
            f'multifilesrc location="{loc}" loop=true ! tsdemux ! h264parse config-interval=-1 '
            '! video/x-h264,stream-format=avc,alignment=au ! appsink name=s emit-signals=true sync=true max-buffers=50 drop=true')
        self.caps = None
        self.lock = threading.Lock()
        self.targets = set()
        self.clock = Gst.SystemClock.obtain()
        self.pipeline.get_by_name('s').connect('new-sample', self.on_sample)
        self.pipeline.set_state(Gst.State.PLAYING)

    def on_sample(self, sink):
        sample = sink.emit('pull-sample')
        if sample is None:
            return Gst.FlowReturn.EOS
        if self.caps is None:
            self.caps = sample.get_caps()
        buf = sample.get_buffer()
        with self.lock:
            targets = list(self.targets)
        now = self.clock.get_time()
        for src in targets:
            # Shares the memory; stamped with the time it is sent, on the receiving media's timeline
            # (nothing before that media plays: it joins at the next access unit).
            base = src.get_base_time()
            if not base:
                continue
            out = buf.copy()
            out.pts = max(0, now - base)
            out.dts = Gst.CLOCK_TIME_NONE
            src.emit('push-buffer', out)
        return Gst.FlowReturn.OK

    def add(self, src):
        with self.lock:
            self.targets.add(src)

    def remove(self, src):
        with self.lock:
            self.targets.discard(src)


class CameraFactory(GstRtspServer.RTSPMediaFactory):
    def __init__(self, feeder):
        super().__init__()
        self.feeder = feeder
        self.set_shared(True)
        self.set_latency(0)
        self.connect('media-configure', self.on_media_configure)

    def do_create_element(self, url):
        caps = self.feeder.caps.to_string().replace('"', '\\"')
        return Gst.parse_launch(
            f'( appsrc name=src is-live=true format=time do-timestamp=false max-bytes=2000000 caps="{caps}" '
            '! rtph264pay name=pay0 pt=96 config-interval=-1 mtu=1400 )')

    def on_media_configure(self, _factory, media):
        src = media.get_element().get_by_name('src')
        self.feeder.add(src)
        media.connect('unprepared', lambda _m: self.feeder.remove(src))


def main():
    spec = json.loads(sys.stdin.read())
    feeder = Feeder(spec['clip'])
    server = GstRtspServer.RTSPServer()
    server.set_address(spec.get('host', '127.0.0.1'))
    server.set_service('0')
    # A thread per client (default: one for all): a DESCRIBE waits while its shared media is prepared,
    # and every client sharing that thread would wait with it (and time out: connection refused).
    server.get_thread_pool().set_max_threads(-1)
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string('media.factory.role', 'camera')
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(spec['user'], spec['password']), token)
    server.set_auth(auth)
    perms = GstRtspServer.RTSPPermissions()
    perms.add_permission_for_role('camera', 'media.factory.access', True)
    perms.add_permission_for_role('camera', 'media.factory.construct', True)
    mounts = server.get_mount_points()
    for i in range(1, int(spec['paths']) + 1):
        factory = CameraFactory(feeder)
        factory.set_permissions(perms)
        mounts.add_factory(f'/cam-{i}', factory)
    server.attach(None)
    loop = GLib.MainLoop()

    def stop(*_):
        feeder.pipeline.set_state(Gst.State.NULL)
        loop.quit()
        return False

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)

    def check_ready():
        if feeder.caps is None:
            return True
        sys.stdout.write('READY ' + json.dumps({'port': server.get_bound_port()}) + '\n')
        sys.stdout.flush()
        return False

    GLib.timeout_add(50, check_ready)
    loop.run()


if __name__ == '__main__':
    main()
