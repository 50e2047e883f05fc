#!/usr/bin/python3
"""
The recorder's camera pull (one process per camera, spawned by camera-writer.ts).

Reads its settings as one JSON line on stdin, so the camera URL (which may carry credentials, and
the endpoint's internal read secret) never appears on a command line:
  {"url": "rtsp://...", "audio": true, "tcpTimeoutMs": 5000}

Pulls the camera over RTSP/TCP with GStreamer, depayloads and parses video (H.264/H.265) and audio
(G.711 A/u-law transcoded to AAC; AAC passed through), stamps every video access unit with the
server's wall clock at the moment its last RTP packet was depayloaded, and writes framed records to
stdout:
  u32 BE header length, u32 BE payload length, header (JSON), payload
Headers: {"k":"v","pts":ns,"dts":ns,"key":bool,"wall":epoch ms,"disc":bool,"codec":"h264"}
         {"k":"a","pts":ns,"wall":epoch ms,"ntp":epoch ms|null,"codec":"aac"}  payload = ADTS frames
         {"k":"ev","ev":"ssrc"|"error"|"eos"|"caps", ...}           no payload
A camera that restarts its encoder inside the RTSP session shows up as a new SSRC, i.e. a new pad
of rtspsrc: the branch is relinked to it and the next video frame carries disc=true.
Error messages never quote the URL (GStreamer's debug strings do: they are not printed).
"""
import json
import os
import signal
import struct
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

OUT = sys.stdout.buffer
LOCK = threading.Lock()
state = {"video": None, "audio": None, "disc_v": False, "ssrcs": set(), "exit": 0}
# PTS (ns) -> (wall clock (epoch ms) when the depayloader produced the access unit, the camera's
# own capture time of it from its RTCP sender reports (epoch ms) or None).
wall_by_pts = {}
# RTCP sender reports: SSRC -> (NTP time as epoch ms, RTP timestamp).
sender_reports = {}
# Per stream, one (SSRC, RTP timestamp, PTS) anchor of its RTP (buffer-mode none: PTS is affine in
# the RTP timestamp), taken by a probe that removes itself: no Python call per RTP packet. Re-armed
# when a sender report arrives and after the stream changed. With the camera's sender reports, it
# gives every video unit and audio buffer the camera's capture time: that dates video and lines
# audio up with it (lip-sync by the camera's clock, not by when the first packets happened to come).
last_rtp = {"ssrc": None, "ts": None, "pts": None, "rate": 90000, "pad": None, "armed": False}
audio_rtp = {"ssrc": None, "ts": None, "pts": None, "rate": 8000, "pad": None, "armed": False}
NTP_UNIX = 2208988800
# in_pts -> (wall, camera time, disc) of the access units entering the last stage before the appsink
# (h264timestamper: it adds DTS for B-frame streams, shifts every timestamp by a constant (1000 h)
# and holds frames back). The first unit out is the first unit in: that gives the shift.
stage = {"meta": {}, "first_in": None, "shift": None, "fifo": []}


def emit(header, payload=b""):
    h = json.dumps(header, separators=(",", ":")).encode()
    with LOCK:
        try:
            OUT.write(struct.pack(">II", len(h), len(payload)) + h + payload)
            OUT.flush()
        except (BrokenPipeError, ValueError):
            # The recorder is gone: stop at once.
            os._exit(0)


def error(code, message):
    emit({"k": "ev", "ev": "error", "code": code, "message": message})
    sys.stderr.write("pull error %s: %s\n" % (code, message))
    sys.stderr.flush()


def ts(v):
    return -1 if v == Gst.CLOCK_TIME_NONE else int(v)


def make(factory, **props):
    e = Gst.ElementFactory.make(factory, None)
    if e is None:
        raise RuntimeError("missing GStreamer element " + factory)
    for k, v in props.items():
        e.set_property(k.replace("_", "-"), v)
    return e


def chain(pipeline, elements):
    for e in elements:
        pipeline.add(e)
        e.sync_state_with_parent()
    for a, b in zip(elements, elements[1:]):
        if not a.link(b):
            raise RuntimeError("cannot link %s to %s" % (a.get_name(), b.get_name()))
    return elements


def on_depay_in(pad, info, anchor):
    buf = info.get_buffer()
    if buf is None or buf.get_size() < 12 or buf.pts == Gst.CLOCK_TIME_NONE:
        return Gst.PadProbeReturn.OK
    head = buf.extract_dup(0, 12)
    anchor["ts"], anchor["ssrc"] = struct.unpack(">II", head[4:12])
    anchor["pts"] = buf.pts
    anchor["armed"] = False
    return Gst.PadProbeReturn.REMOVE


def arm_rtp_anchor(anchor=None):
    for a in ((anchor,) if anchor is not None else (last_rtp, audio_rtp)):
        pad = a["pad"]
        if pad is not None and not a["armed"]:
            a["armed"] = True
            pad.add_probe(Gst.PadProbeType.BUFFER, on_depay_in, a)


def frame_rtp_ts(pts, anchor=last_rtp):
    if anchor["pts"] is None or pts == Gst.CLOCK_TIME_NONE:
        return None
    return (anchor["ts"] + round((pts - anchor["pts"]) * anchor["rate"] / 1e9)) & 0xFFFFFFFF


def capture_time(pts, anchor):
    """The camera's capture time (epoch ms) of a buffer of this stream, or None."""
    if not sender_reports:
        return None
    return camera_time(anchor["ssrc"], frame_rtp_ts(pts, anchor), anchor["rate"])


def camera_time(ssrc, ts, rate):
    """The camera's capture time of RTP timestamp ts by its last sender report (epoch ms), or None."""
    sr = sender_reports.get(ssrc)
    if sr is None or ts is None:
        return None
    ntp_ms, sr_ts = sr
    d = (ts - sr_ts) & 0xFFFFFFFF
    if d >= 0x80000000:
        d -= 0x100000000
    return ntp_ms + d * 1000.0 / rate


def on_rtcp(session, buf):
    data = buf.extract_dup(0, buf.get_size())
    p = 0
    while p + 4 <= len(data):
        pt = data[p + 1]
        words = struct.unpack(">H", data[p + 2:p + 4])[0]
        if pt == 200 and p + 20 <= len(data):
            ssrc, sec, frac, rtp = struct.unpack(">IIII", data[p + 4:p + 20])
            if sec > NTP_UNIX:
                sender_reports[ssrc] = ((sec - NTP_UNIX) * 1000.0 + frac * 1000.0 / 2 ** 32, rtp)
                arm_rtp_anchor()
        p += 4 * (words + 1)


def on_new_manager(src, manager):
    sessions = set()

    def on_new_ssrc(rtpbin, sid, ssrc):
        if sid in sessions:
            return
        sessions.add(sid)
        session = rtpbin.emit("get-internal-session", sid)
        if session is not None:
            session.connect("on-receiving-rtcp", on_rtcp)

    manager.connect("on-new-ssrc", on_new_ssrc)


def on_depay_out(pad, info):
    buf = info.get_buffer()
    if buf is not None and buf.pts != Gst.CLOCK_TIME_NONE:
        wall_by_pts[buf.pts] = (time.time() * 1000.0, capture_time(buf.pts, last_rtp))
        if len(wall_by_pts) > 512:
            for k in sorted(wall_by_pts)[:256]:
                wall_by_pts.pop(k, None)
    return Gst.PadProbeReturn.OK


def on_stage_in(pad, info):
    buf = info.get_buffer()
    if buf is not None and buf.pts != Gst.CLOCK_TIME_NONE:
        wall, ntp = wall_by_pts.pop(buf.pts, None) or (time.time() * 1000.0, None)
        stage["meta"][buf.pts] = (wall, ntp, state["disc_v"])
        # h264timestamper keeps the units in order but rewrites their PTS (a frame late on streams
        # without B-frames): each unit is matched back to its input by order and byte size.
        stage["fifo"].append((buf.pts, buf.get_size()))
        if len(stage["fifo"]) > 256:
            del stage["fifo"][:128]
        state["disc_v"] = False
        if stage["first_in"] is None:
            stage["first_in"] = buf.pts
        if len(stage["meta"]) > 1024:
            for k in sorted(stage["meta"])[:512]:
                stage["meta"].pop(k, None)
    return Gst.PadProbeReturn.OK


def pull_sample(sink):
    """The appsink's next buffer and a copy of its bytes, or (None, None)."""
    sample = sink.emit("pull-sample")
    if sample is None:
        return None, None
    buf = sample.get_buffer()
    ok, m = buf.map(Gst.MapFlags.READ)
    if not ok:
        return None, None
    try:
        return buf, bytes(m.data)
    finally:
        buf.unmap(m)


def on_video_sample(sink, codec):
    buf, data = pull_sample(sink)
    if buf is None:
        return Gst.FlowReturn.OK
    pts, dts = buf.pts, buf.dts
    size = buf.get_size()
    fifo = stage["fifo"]
    for i in range(min(len(fifo), 8)):
        if fifo[i][1] == size:
            in_pts = fifo[i][0]
            del fifo[:i + 1]
            if pts != Gst.CLOCK_TIME_NONE and dts != Gst.CLOCK_TIME_NONE:
                dts = in_pts - (pts - dts)
            elif dts != Gst.CLOCK_TIME_NONE:
                dts = in_pts
            pts = in_pts
            stage["shift"] = 0
            break
    if pts != Gst.CLOCK_TIME_NONE and stage["shift"] is None and stage["first_in"] is not None:
        # The timestamper's offset is 1000 h; it may drop leading units (before the first keyframe),
        # so "first out - first in" can be a frame off: prefer the shift that finds this unit.
        for cand in (1000 * 3600 * Gst.SECOND, 0, pts - stage["first_in"]):
            if (pts - cand) in stage["meta"]:
                stage["shift"] = cand
                break
        else:
            stage["shift"] = pts - stage["first_in"]
    shift = stage["shift"] or 0
    stage["shift"] = None if shift == 0 else shift
    if pts != Gst.CLOCK_TIME_NONE:
        pts -= shift
    if dts != Gst.CLOCK_TIME_NONE:
        dts -= shift
    wall, ntp, disc = stage["meta"].pop(pts, None) or (time.time() * 1000.0, None, False)
    emit({"k": "v", "codec": codec, "pts": ts(pts), "dts": ts(dts), "dur": ts(buf.duration),
          "key": not (buf.get_flags() & Gst.BufferFlags.DELTA_UNIT), "wall": wall, "ntp": ntp, "disc": disc}, data)
    return Gst.FlowReturn.OK


def on_audio_sample(sink, codec):
    buf, data = pull_sample(sink)
    if buf is None:
        return Gst.FlowReturn.OK
    emit({"k": "a", "codec": codec, "pts": ts(buf.pts), "wall": time.time() * 1000.0, "ntp": capture_time(buf.pts, audio_rtp)}, data)
    return Gst.FlowReturn.OK


def appsink(cb, codec):
    s = make("appsink", emit_signals=True, sync=False, max_buffers=200, drop=False)
    s.connect("new-sample", cb, codec)
    return s


def build_video(pipeline, enc, rtp=True):
    if enc == "H264":
        depay, parse, stamp, caps, codec = "rtph264depay", "h264parse", "h264timestamper", "video/x-h264,stream-format=byte-stream,alignment=au", "h264"
    elif enc in ("H265", "HEVC"):
        depay, parse, stamp, caps, codec = "rtph265depay", "h265parse", "h265timestamper", "video/x-h265,stream-format=byte-stream,alignment=au", "h265"
    else:
        return None
    els = []
    if rtp:
        d = make(depay)
        last_rtp["pad"] = d.get_static_pad("sink")
        arm_rtp_anchor(last_rtp)
        d.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_depay_out)
        els.append(d)
    p = make(parse, config_interval=-1)
    if not rtp:
        # RTMP: a whole frame per FLV tag; stamp it as it leaves the demuxer.
        p.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_depay_out)
    els += [p, make("capsfilter", caps=Gst.Caps.from_string(caps))]
    if Gst.ElementFactory.find(stamp) is not None:
        els.append(make(stamp))
    els.append(appsink(on_video_sample, codec))
    els[-2].get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_stage_in)
    chain(pipeline, els)
    emit({"k": "ev", "ev": "caps", "media": "video", "codec": codec})
    return els[0]


def build_audio(pipeline, enc, clock_rate=None):
    adts = Gst.Caps.from_string("audio/mpeg,mpegversion=4,stream-format=adts")
    if enc in ("PCMA", "PCMU"):
        depay, dec = ("rtppcmadepay", "alawdec") if enc == "PCMA" else ("rtppcmudepay", "mulawdec")
        els = [make(depay), make(dec), make("audioconvert"), make("audioresample"),
               make("capsfilter", caps=Gst.Caps.from_string("audio/x-raw,rate=16000,channels=1")),
               make("avenc_aac", bitrate=32000), make("aacparse"), make("capsfilter", caps=adts)]
        src = "g711"
    elif enc == "MPEG4-GENERIC":
        els = [make("rtpmp4gdepay"), make("aacparse"), make("capsfilter", caps=adts)]
        src = "aac"
    elif enc == "FLV-AAC":
        els = [make("aacparse"), make("capsfilter", caps=adts)]
        src = "aac"
    elif enc == "MP4A-LATM":
        els = [make("rtpmp4adepay"), make("aacparse"), make("capsfilter", caps=adts)]
        src = "aac"
    else:
        return None
    els.append(appsink(on_audio_sample, "aac"))
    chain(pipeline, els)
    if clock_rate:
        audio_rtp["rate"] = clock_rate
        audio_rtp["pad"] = els[0].get_static_pad("sink")
        arm_rtp_anchor(audio_rtp)
    emit({"k": "ev", "ev": "caps", "media": "audio", "codec": "aac", "source": src})
    return els[0]


def on_pad_added(src, pad, pipeline, want_audio):
    caps = pad.get_current_caps() or pad.query_caps(None)
    s = caps.get_structure(0)
    media = s.get_string("media")
    enc = (s.get_string("encoding-name") or "").upper()
    if not enc:
        # Static payload types carry no rtpmap in many cameras' SDP.
        ok, pt = s.get_int("payload")
        enc = {0: "PCMU", 8: "PCMA", 26: "JPEG"}.get(pt if ok else -1, "")
    ssrc = s.get_uint("ssrc")
    if media == "video":
        key = "video"
    elif media == "audio" and want_audio:
        key = "audio"
    else:
        return
    entry = state[key]
    if entry is None:
        ok_rate, rate = s.get_int("clock-rate")
        if not ok_rate or rate <= 0:
            rate = 8000 if enc in ("PCMA", "PCMU") else None
        head = build_video(pipeline, enc) if key == "video" else build_audio(pipeline, enc, rate)
        if head is None:
            if key == "video":
                error("unsupported", "video encoding %s" % enc)
                state["exit"] = 3
                GLib.idle_add(loop.quit)
            return
        entry = state[key] = {"head": head, "pad": pad, "enc": enc}
    else:
        if entry["enc"] != enc:
            # Another codec after a camera restart: start over in a new run.
            error("codec-changed", "%s encoding %s -> %s" % (key, entry["enc"], enc))
            state["exit"] = 4
            GLib.idle_add(loop.quit)
            return
        sink = entry["head"].get_static_pad("sink")
        peer = sink.get_peer()
        if peer is not None:
            peer.unlink(sink)
        entry["pad"] = pad
        if key == "video":
            state["disc_v"] = True
            last_rtp["pts"] = None
            arm_rtp_anchor(last_rtp)
        else:
            audio_rtp["pts"] = None
            arm_rtp_anchor(audio_rtp)
    ok = pad.link(entry["head"].get_static_pad("sink"))
    if ok != Gst.PadLinkReturn.OK:
        error("link-failed", "cannot link %s pad: %s" % (key, ok.value_nick))
        return
    emit({"k": "ev", "ev": "ssrc", "media": key, "ssrc": ssrc[1] if ssrc[0] else None})


def on_flv_pad(demux, pad, pipeline, want_audio):
    """RTMP (resident cameras that push RTMP): FLV carries H.264/H.265 and AAC without RTP."""
    s = pad.get_current_caps().get_structure(0)
    name = s.get_name()
    if name == "video/x-h264":
        head = build_video(pipeline, "H264", rtp=False)
    elif name == "video/x-h265":
        head = build_video(pipeline, "H265", rtp=False)
    elif name == "audio/mpeg" and want_audio:
        head = build_audio(pipeline, "FLV-AAC")
    else:
        return
    if head is None or pad.link(head.get_static_pad("sink")) != Gst.PadLinkReturn.OK:
        error("link-failed", "cannot link the %s stream" % name)


def error_code(err):
    if err.matches(Gst.ResourceError.quark(), Gst.ResourceError.NOT_FOUND):
        return "not-found"
    if err.matches(Gst.ResourceError.quark(), Gst.ResourceError.NOT_AUTHORIZED):
        return "unauthorized"
    if err.matches(Gst.ResourceError.quark(), Gst.ResourceError.OPEN_READ) or err.matches(Gst.ResourceError.quark(), Gst.ResourceError.OPEN_READ_WRITE):
        return "connect-failed"
    if err.matches(Gst.ResourceError.quark(), Gst.ResourceError.READ):
        return "timeout"
    return "exited"


def on_message(bus, msg):
    if msg.type == Gst.MessageType.ERROR:
        err, _debug = msg.parse_error()  # the debug string may quote the URL: never printed
        error(error_code(err), err.message)
        state["exit"] = 2
        loop.quit()
    elif msg.type == Gst.MessageType.EOS:
        emit({"k": "ev", "ev": "eos"})
        loop.quit()


def main():
    global loop
    cfg = json.loads(sys.stdin.readline())
    Gst.init(None)
    pipeline = Gst.Pipeline.new("pull")
    if cfg["url"].lower().startswith("rtmp"):
        src = make("rtmpsrc", location=cfg["url"], timeout=max(1, int(cfg.get("tcpTimeoutMs", 5000)) // 1000))
        demux = make("flvdemux")
        pipeline.add(src)
        pipeline.add(demux)
        src.link(demux)
        demux.connect("pad-added", on_flv_pad, pipeline, bool(cfg.get("audio", True)))
        return run(pipeline)
    # buffer-mode none: media time is the camera's RTP clock as it is (GStreamer's skew correction
    # would quietly bend it towards arrival); the recorder's segment clock compares it with the wall
    # clock itself, cuts at discontinuities and drift, and dates segments by arrival.
    src = make("rtspsrc", location=cfg["url"], protocols=4, latency=int(cfg.get("latencyMs", 0)), buffer_mode=0,
               tcp_timeout=int(cfg.get("tcpTimeoutMs", 5000)) * 1000, timeout=int(cfg.get("tcpTimeoutMs", 5000)) * 1000)
    pipeline.add(src)
    src.connect("new-manager", on_new_manager)
    src.connect("pad-added", on_pad_added, pipeline, bool(cfg.get("audio", True)))
    return run(pipeline)


def run(pipeline):
    global loop
    loop = GLib.MainLoop()
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, loop.quit)
    pipeline.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    finally:
        pipeline.set_state(Gst.State.NULL)
    sys.exit(state["exit"])


loop = None
if __name__ == "__main__":
    main()
